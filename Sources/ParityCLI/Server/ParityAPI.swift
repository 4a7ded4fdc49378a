import Foundation
import ParityCatalog
import Synchronization

/// The HTTP API: each endpoint runs the command of the same name on the request's scenario, so the
/// API answers exactly what the CLI prints (same validation, same errors, same formats).
///
/// - `GET /` a page to paste a scenario, run, compare or search it, and see the report.
/// - `GET /healthz`
/// - `GET /v1/catalog/{chips|systems|models|sources}`
/// - `GET /v1/inspect?model=NAME`
/// - `POST /v1/run`, `POST /v1/compare?systems=a,b&sensitivity=1`, `POST /v1/search?top=N&chips=n,n`
///   with the scenario YAML (or JSON) as the body.
///
/// Every endpoint takes `format=json` (the default), `html`, `csv`, `markdown` or `table`. Bad input
/// answers 400 and a prediction that cannot honestly be made 422, each with `{"error": ...}`.
enum ParityAPI {
    static let formats: Set<String> = ["json", "html", "csv", "markdown", "table"]

    static func handle(_ request: HTTPRequest, catalogDirectories: [String]) -> HTTPResponse {
        let format = request.query["format"] ?? "json"
        guard formats.contains(format) else {
            return .error(400, "format: '\(format)' is not one of json, html, csv, markdown, table.")
        }
        let catalog = catalogDirectories.flatMap { ["--catalog", $0] }
        let segments = request.path.split(separator: "/").map(String.init)
        let method = request.method
        if segments.isEmpty {
            guard method == "GET" else { return .error(405, "\(method) is not allowed on /.") }
            return HTTPResponse(status: 200, contentType: "text/html; charset=utf-8", body: WebPage.html)
        }
        if segments == ["healthz"] {
            return .json(200, "{\"status\": \"ok\"}\n")
        }
        guard segments.first == "v1", segments.count >= 2 else {
            return .error(404, "No endpoint at \(request.path). Fix: see GET / or the README's API section.")
        }
        let name = segments[1]
        switch name {
        case "catalog" where segments.count == 3:
            guard method == "GET" else { return .error(405, "\(method) is not allowed on \(request.path).") }
            return command(["catalog", segments[2], "--format", format] + catalog, format: format)
        case "inspect" where segments.count == 2 && method == "POST":
            // A config.json carried in the body, for a model the catalog does not hold.
            guard !request.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                return .error(400, "body: empty. Fix: send a Hugging Face config.json as the body, or GET ?model=NAME.")
            }
            return withScenario(request.body, fileName: "config.json") { path in
                command(["inspect", path, "--format", format] + catalog, format: format)
            }
        case "inspect" where segments.count == 2:
            guard method == "GET" else { return .error(405, "\(method) is not allowed on \(request.path).") }
            guard let model = request.query["model"], !model.isEmpty else {
                return .error(400, "model: missing. Fix: add ?model=NAME (a built-in model).")
            }
            if let refusal = refuseFile(model, key: "model", kind: .model, catalogDirectories: catalogDirectories) {
                return refusal
            }
            return command(["inspect", model, "--format", format] + catalog, format: format)
        case "run" where segments.count == 2, "compare" where segments.count == 2, "search" where segments.count == 2:
            guard method == "POST" else {
                return .error(405, "\(method) is not allowed on \(request.path). Fix: POST the scenario as the body.")
            }
            guard !request.body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                return .error(400, "body: empty. Fix: send the scenario YAML as the request body.")
            }
            if let refusal = refuseFiles(inScenario: request.body, catalogDirectories: catalogDirectories) {
                return refusal
            }
            var options: [String] = []
            if name == "compare" {
                if let systems = request.query["systems"], !systems.isEmpty {
                    for system in systems.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                        if let refusal = refuseFile(
                            system,
                            key: "systems",
                            kind: .system,
                            catalogDirectories: catalogDirectories
                        ) {
                            return refusal
                        }
                    }
                    options += ["--systems", systems]
                }
                if ["1", "true", "yes"].contains(request.query["sensitivity"] ?? "") {
                    options.append("--sensitivity")
                }
            }
            if name == "search" {
                if let top = request.query["top"] { options += ["--top", top] }
                if let chips = request.query["chips"] { options += ["--chips", chips] }
            }
            return withScenario(request.body) { path in
                command([name, path] + options + ["--format", format] + catalog, format: format)
            }
        default:
            return .error(404, "No endpoint at \(request.path). Fix: see GET / or the README's API section.")
        }
    }

    /// What a request may name: only catalog entries, never a path on the server.
    enum EntryKind { case model, chip, system }

    /// The server reads only its catalog: a name that is not a catalog entry is refused with one
    /// message that says nothing of the server's files (whether one exists there, or what it holds).
    static func refuseFile(_ name: String, key: String, kind: EntryKind, catalogDirectories: [String])
        -> HTTPResponse?
    {
        guard let catalog = try? loadCatalog(catalogDirectories) else {
            return .error(500, "The server's catalog cannot be loaded.")
        }
        let known: Bool =
            switch kind {
            case .model: catalog.modelEntry(named: name) != nil
            case .chip: !Catalog.looksLikePath(name) && (try? catalog.chip(named: name)) != nil
            case .system: !Catalog.looksLikePath(name) && (try? catalog.system(orChip: name)) != nil
            }
        if known { return nil }
        return .error(
            400,
            "\(key): the server accepts catalog names only, not files. Fix: name an entry of GET /v1/catalog/\(kind == .model ? "models" : kind == .chip ? "chips" : "systems"), or describe the model inline under model_spec."
        )
    }

    /// Refuses a posted scenario whose model, chip, node or compared systems name anything but
    /// catalog entries. Scenario text that does not parse is left to the command, whose errors
    /// quote only that text.
    static func refuseFiles(inScenario body: String, catalogDirectories: [String]) -> HTTPResponse? {
        guard let node = try? Node.parseYAML(body, file: nil) else { return nil }
        var named: [(String, String, EntryKind)] = []
        if let model = node["model"]?.stringValue { named.append((model, "model", .model)) }
        if let chip = node["system"]?["chip"]?.stringValue { named.append((chip, "system.chip", .chip)) }
        if let system = node["system"]?["node"]?.stringValue { named.append((system, "system.node", .system)) }
        if case .array(let items, _)? = node["compare"]?["systems"] {
            for (index, item) in items.enumerated() {
                if let name = item.stringValue { named.append((name, "compare.systems[\(index)]", .system)) }
            }
        }
        if node["workload"]?["trace"] != nil {
            return .error(
                400,
                "workload.trace: the server accepts catalog names only, not files. Fix: state concurrency or request_rate_per_s instead."
            )
        }
        for (name, key, kind) in named {
            if let refusal = refuseFile(name, key: key, kind: kind, catalogDirectories: catalogDirectories) {
                return refusal
            }
        }
        return nil
    }

    /// The catalog the server answers from, loaded once per set of directories.
    static func loadCatalog(_ directories: [String]) throws -> Catalog {
        try CatalogCache.shared.catalog(directories)
    }

    final class CatalogCache: @unchecked Sendable {
        static let shared = CatalogCache()
        private let lock = NSLock()
        private var loaded: [[String]: Catalog] = [:]
        func catalog(_ directories: [String]) throws -> Catalog {
            lock.lock()
            defer { lock.unlock() }
            if let catalog = loaded[directories] { return catalog }
            var catalog = try Catalog.embedded()
            for directory in directories { try catalog.add(directory: directory) }
            loaded[directories] = catalog
            return catalog
        }
    }

    /// Writes the body (a scenario, or a config.json) to a private temporary file for the command to
    /// read, and removes it after.
    static func withScenario(
        _ body: String,
        fileName: String = "scenario.yaml",
        _ run: (String) -> HTTPResponse
    ) -> HTTPResponse {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parity-api-\(UUID().uuidString)")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent(fileName).path
            try body.write(toFile: path, atomically: true, encoding: .utf8)
            var response = run(path)
            // Name the scenario as the client knows it, not by the temporary file.
            response.body = response.body.replacingOccurrences(of: path, with: "request body")
            return response
        } catch {
            return .error(400, "body: cannot be stored for reading (\(error)).")
        }
    }

    /// Seconds a request's command may run before the server answers 503 and drops its result.
    static let deadline = 30.0
    /// Commands running at once, abandoned ones included. A request beyond it waits for a slot within
    /// its deadline, so a burst of heavy requests queues instead of piling up work the machine will
    /// never finish.
    static let maximumInFlight = max(2, ProcessInfo.processInfo.activeProcessorCount * 2)
    static let slots = DispatchSemaphore(value: maximumInFlight)

    /// Runs one `parity` command on its own thread within `deadline` seconds (waiting for a slot
    /// included) and maps its exit status: 0 to 200, 2 (bad input) to 400, 1 (no honest prediction)
    /// to 422; past the deadline 503.
    static func command(_ arguments: [String], format: String, deadline: Double = deadline) -> HTTPResponse {
        let end = DispatchTime.now() + deadline
        guard slots.wait(timeout: end) == .success else {
            return .error(
                503,
                "busy: \(maximumInFlight) computations kept every slot for \(formatSeconds(deadline)) s. Fix: retry shortly."
            )
        }
        let done = DispatchSemaphore(value: 0)
        let result = Mutex<HTTPResponse?>(nil)
        Thread.detachNewThread {
            let response = run(arguments, format: format)
            result.withLock { $0 = response }
            slots.signal()
            done.signal()
        }
        guard done.wait(timeout: end) == .success, let response = result.withLock({ $0 }) else {
            return .error(
                503,
                "deadline: the computation did not finish within \(formatSeconds(deadline)) s and its result is dropped. Fix: state more of the plan, or lower search's --max-plans."
            )
        }
        return response
    }

    static func formatSeconds(_ seconds: Double) -> String {
        seconds >= 1 ? String(Int(seconds)) : String(seconds)
    }

    /// Runs one command in this process and maps its exit status.
    static func run(_ arguments: [String], format: String) -> HTTPResponse {
        let output = Buffer()
        let errors = Buffer()
        let status = ParityMain.run(
            arguments,
            standardOutput: { output.append($0) },
            standardError: { errors.append($0) }
        )
        let message = errors.text.replacingOccurrences(of: "error: ", with: "").trimmingCharacters(
            in: .whitespacesAndNewlines
        )
        switch status {
        case 0:
            let types = [
                "json": "application/json", "html": "text/html", "csv": "text/csv", "markdown": "text/markdown",
                "table": "text/plain",
            ]
            return HTTPResponse(
                status: 200,
                contentType: "\(types[format] ?? "text/plain"); charset=utf-8",
                body: output.text
            )
        case 1: return .error(422, message)
        default: return .error(400, message)
        }
    }

    /// Collects a command's output.
    final class Buffer: @unchecked Sendable {
        private(set) var text = ""
        func append(_ part: String) { text += part }
    }
}
