import Foundation
import Testing

@testable import ParityCLI

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
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

    /// The server reads only its catalog: a path in a request is refused with one message that
    /// tells an existing file from an absent one no better than chance.
    @Test func pathsInARequestAreRefusedAlike() async throws {
        let existing = try Self.writeSecret()
        defer { try? FileManager.default.removeItem(atPath: existing) }
        let absent = existing + ".absent"
        var answers: [String] = []
        for path in [existing, absent] {
            let (status, body) = try await request(
                "GET",
                "/v1/inspect?model=\(path.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? path)"
            )
            #expect(status == 400)
            #expect(!body.contains("s3cr3t"))
            answers.append(body)
        }
        #expect(answers[0] == answers[1])
        // The same for a posted scenario's model, chip and node, and for compare's systems.
        for (key, value) in [("model", existing), ("chip", "\(existing).yaml"), ("node", "\(existing).yaml")] {
            var text = Self.scenario
            switch key {
            case "model": text = text.replacingOccurrences(of: "llama-3.1-70b", with: value)
            case "chip": text = text.replacingOccurrences(of: "chip: h100-sxm", with: "chip: \(value)")
            default: text = text.replacingOccurrences(of: "node: hgx-h100", with: "node: \(value)")
            }
            let (status, body) = try await request("POST", "/v1/run", body: text)
            #expect(status == 400)
            #expect(body.contains("catalog names only") && !body.contains("s3cr3t"))
        }
        // A request trace is a file too.
        let traced = Self.scenario.replacingOccurrences(
            of: "tpot_slo_ms: 30}",
            with: "tpot_slo_ms: 30, trace: \(existing)}"
        )
        let (traceStatus, traceBody) = try await request("POST", "/v1/run", body: traced)
        #expect(traceStatus == 400 && traceBody.contains("workload.trace") && !traceBody.contains("s3cr3t"))
        let (status, body) = try await request(
            "POST",
            "/v1/compare?systems=hgx-h100,/etc/passwd.yaml",
            body: Self.scenario
        )
        #expect(status == 400 && body.contains("catalog names only"))
        // Catalog names, chip names for systems and Hugging Face ids still work.
        let (ok, _) = try await request("GET", "/v1/inspect?model=deepseek-ai/DeepSeek-V3")
        #expect(ok == 200)
        let (compared, _) = try await request("POST", "/v1/compare?systems=h100-sxm,hgx-h200", body: Self.scenario)
        #expect(compared == 200)
    }

    static func writeSecret() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "parity-secret-\(UUID().uuidString).json"
        )
        .path
        try #"{"model_type": "s3cr3t"}"#.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

extension ServerTests {
    /// Sends raw bytes and reads until the server closes, or until `limit` bytes arrived.
    func raw(_ text: String, limit: Int = 1 << 20) throws -> String {
        let server = try #require(Self.server)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(server.port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        #expect(connected == 0)
        _ = text.withCString { send(fd, $0, strlen($0), 0) }
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while received.count < limit {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }

    @Test func anOversizedBodyIs413AndAWaitingClientIsToldToContinue() throws {
        let large = try raw("POST /v1/run HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999\r\n\r\n")
        #expect(large.hasPrefix("HTTP/1.1 413"))
        let waiting = try raw(
            "POST /v1/run HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n",
            limit: 25
        )
        #expect(waiting.hasPrefix("HTTP/1.1 100 Continue"))
    }

    @Test func aComputationPastItsDeadlineIs503AndTheServerStillAnswers() async throws {
        let late = ParityAPI.command(["catalog", "models", "--format", "json"], format: "json", deadline: 1e-6)
        #expect(late.status == 503 && late.body.contains("deadline"))
        let (status, _) = try await request("GET", "/healthz")
        #expect(status == 200)
    }
}

extension ServerTests {
    /// Inputs that once trapped or hung the process are answered as bad input, and the server goes on.
    @Test(arguments: [
        ("output_tokens: 1024,", "output_tokens: 9223372036854775807,"),
        ("chips: 8, node", "chips: 1000000000, node"),
        ("input_tokens: 1024,", "input_tokens: 1e300,"),
    ])
    func hostileNumbersAre400AndTheServerGoesOn(original: String, hostile: String) async throws {
        let text = Self.scenario.replacingOccurrences(of: original, with: hostile)
        #expect(text != Self.scenario)
        for endpoint in ["/v1/run", "/v1/search"] {
            let (status, body) = try await request("POST", endpoint, body: text)
            #expect(status == 400, "\(endpoint): \(body)")
        }
        let (health, _) = try await request("GET", "/healthz")
        #expect(health == 200)
    }
}

extension ServerTests {
    @Test func aConfigCarriedInTheBodyIsInspected() async throws {
        let config = """
            {"model_type": "llama", "hidden_size": 1024, "intermediate_size": 4096, "num_hidden_layers": 4,
             "num_attention_heads": 8, "num_key_value_heads": 8, "vocab_size": 32000}
            """
        let (status, body) = try await request("POST", "/v1/inspect", body: config)
        #expect(status == 200, "\(body)")
        #expect(body.contains("\"total\": 132654080") && !body.contains("parity-api-"))
        let (bad, message) = try await request("POST", "/v1/inspect", body: "{\"model_type\": 7}")
        #expect(bad == 400 && !message.contains("parity-api-"))
    }
}
