import ArgumentParser
import Foundation

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the HTTP API and a web page.",
        discussion: """
            GET / is a page to paste a scenario and run, compare or search it. The API runs the commands \
            of the same name: POST /v1/run, /v1/compare?systems=a,b, /v1/search with the scenario as the \
            body; GET /v1/catalog/{chips|systems|models|sources|stacks}, /v1/inspect?model=NAME, or POST \
            /v1/inspect with a config.json as the body. Every endpoint \
            takes format=json (default), html, csv, markdown or table. Bad input answers 400, a \
            prediction that cannot honestly be made 422, a body over 8 MiB 413, a request not sent within \
            10 s 408, and a computation past its 30 s deadline (a wait for one of the slots included) 503, \
            each as {"error": ...}.
            """
    )

    @Option(help: "Address to listen on (IPv4).")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8080

    @OptionGroup var catalogOptions: CatalogOptions

    mutating func run() throws {
        _ = try catalogOptions.load()  // a bad --catalog fails here, not on the first request
        let directories = catalogOptions.directories
        let server = try HTTPServer(host: host, port: port) { request in
            ParityAPI.handle(request, catalogDirectories: directories)
        }
        print(
            "Parity serving on http://\(host):\(server.port)/  (Ctrl-C to stop; each request has \(Int(ParityAPI.deadline)) s, at most \(ParityAPI.maximumInFlight) run at once)"
        )
        fflush(nil)  // the start-up line reaches a redirected log at once
        server.serve()
    }
}
