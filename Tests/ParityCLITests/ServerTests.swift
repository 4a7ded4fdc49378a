import Foundation
import Testing

@testable import ParityCLI

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The HTTP API answers what the CLI prints, over a real socket.
struct ServerTests {
    static let server: HTTPServer? = {
        let server = try? HTTPServer(host: "127.0.0.1", port: 0) { request in
            ParityAPI.handle(request, catalogDirectories: [])
        }
        server?.start()
        return server
    }()

    func request(_ method: String, _ path: String, body: String? = nil) async throws -> (Int, String) {
        let server = try #require(Self.server)
        var request = URLRequest(url: try #require(URL(string: "http://127.0.0.1:\(server.port)\(path)")))
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        return (status, String(decoding: data, as: UTF8.self))
    }

    static let scenario = """
        id: h
        model: llama-3.1-70b
        system: {chip: h100-sxm, chips: 8, node: hgx-h100}
        workload: {kind: serving, input_tokens: 1024, output_tokens: 1024, weights_precision: fp8, tpot_slo_ms: 30}
        """

    @Test func aScenarioPostedToRunAnswersTheCLIsJSON() async throws {
        let (status, body) = try await request("POST", "/v1/run", body: Self.scenario)
        #expect(status == 200)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        let metrics = try #require(json["metrics"] as? [String: Any])
        #expect((metrics["tpot_ms"] as? Double ?? 99) <= 30)
        // The same scenario through the CLI gives the same prediction.
        let path = try CommandTests.write(Self.scenario, name: "h.yaml")
        let cli = CommandTests.run("run", path, "--format", "json")
        let cliJSON = try #require(try JSONSerialization.jsonObject(with: Data(cli.output.utf8)) as? [String: Any])
        #expect((cliJSON["metrics"] as? [String: Any])?["tpot_ms"] as? Double == metrics["tpot_ms"] as? Double)
    }

    @Test func badInputIs400AndNamesTheKeyNotTheTemporaryFile() async throws {
        let (status, body) = try await request("POST", "/v1/run", body: "id: x\n")
        #expect(status == 400)
        #expect(body.contains("system"))
        #expect(body.contains("request body"))
        #expect(!body.contains("/tmp/"))
    }

    @Test func thePageTheCatalogAndUnknownPaths() async throws {
        let (pageStatus, page) = try await request("GET", "/")
        #expect(pageStatus == 200 && page.hasPrefix("<!DOCTYPE html>"))
        let (chipsStatus, chips) = try await request("GET", "/v1/catalog/chips")
        #expect(chipsStatus == 200 && chips.contains("h800"))
        let (missing, _) = try await request("GET", "/v1/nothing")
        #expect(missing == 404)
        let (wrongMethod, _) = try await request("GET", "/v1/run")
        #expect(wrongMethod == 405)
    }
}
