import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One HTTP/1.1 request as the server read it.
struct HTTPRequest: Sendable {
    var method: String
    var path: String
    var query: [String: String]
    var body: String
}

/// The answer to a request.
struct HTTPResponse: Sendable {
    var status: Int
    var contentType: String
    var body: String

    static func json(_ status: Int, _ body: String) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "application/json; charset=utf-8", body: body)
    }

    static func error(_ status: Int, _ message: String) -> HTTPResponse {
        let escaped = message.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return .json(status, "{\"error\": \"\(escaped)\"}\n")
    }
}

/// A small blocking HTTP/1.1 server on a TCP socket: a thread per connection (at most
/// `maximumConnections`), one request per connection (`Connection: close`), bounded sizes and waits.
/// Enough for a local API and page; not a public server (no TLS, no authentication).
final class HTTPServer: @unchecked Sendable {
    private let descriptor: Int32
    /// The port the server listens on (the one the system chose when asked for port 0).
    let port: Int
    private let handler: @Sendable (HTTPRequest) -> HTTPResponse
    /// Bodies larger than this are refused (413).
    static let maximumBody = 8 << 20
    /// Request lines and headers larger than this are refused (413).
    static let maximumHeader = 64 << 10
    /// A client that hangs up must not kill the server with SIGPIPE.
    #if canImport(Glibc)
    static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
    static let sendFlags: Int32 = 0
    #endif

    init(host: String, port: Int, handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) throws {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw UsageError(message: "cannot open a socket (errno \(errno)).") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            close(fd)
            throw UsageError(message: "--host: '\(host)' is not an IPv4 address. Fix: use e.g. 127.0.0.1 or 0.0.0.0.")
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            close(fd)
            throw UsageError(
                message: "--port: cannot listen on \(host):\(port) (errno \(errno)). Fix: choose a free port."
            )
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.descriptor = fd
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        self.handler = handler
    }

    /// Connections served at once, each on its own thread; past it a connection is answered 503 and
    /// closed, so slow clients cannot exhaust the threads (each is dropped after `readTimeout` anyway).
    static let maximumConnections = 256
    private let open = Mutex(0)

    /// Accepts connections until the process ends, answering each on a thread of its own: a slow
    /// client holds only its own thread, never a shared pool's.
    func serve() -> Never {
        while true {
            let client = accept(descriptor, nil, nil)
            if client < 0 { continue }
            let admitted = open.withLock { count in
                guard count < Self.maximumConnections else { return false }
                count += 1
                return true
            }
            guard admitted else {
                write(
                    .error(503, "busy: \(Self.maximumConnections) connections are open. Fix: retry shortly."),
                    to: client
                )
                close(client)
                continue
            }
            Thread.detachNewThread { [self] in
                answer(client)
                open.withLock { $0 -= 1 }
            }
        }
    }

    /// Starts serving on a background thread (for tests and embedding).
    func start() {
        Thread.detachNewThread { [self] in serve() }
    }

    private func answer(_ client: Int32) {
        defer { close(client) }
        Self.limitWaiting(on: client)
        let response: HTTPResponse
        switch read(client) {
        case .success(let request): response = handler(request)
        case .failure(.tooLarge):
            response = .error(413, "request too large: the body may hold at most \(Self.maximumBody >> 20) MiB.")
        case .failure(.slow):
            response = .error(408, "request not received within \(Int(Self.readTimeout)) s.")
        case .failure(.malformed): response = .error(400, "malformed request")
        }
        write(response, to: client)
    }

    /// Why a request could not be read.
    enum ReadFailure: Error {
        case malformed, tooLarge, slow
    }

    /// Seconds a client may take to send its request, and to take the answer: a slow or silent
    /// client then frees its worker instead of holding it.
    static let readTimeout = 10.0

    private static func limitWaiting(on client: Int32) {
        var limit = timeval(tv_sec: Int(readTimeout), tv_usec: 0)
        let size = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &limit, size)
        setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &limit, size)
    }

    /// Receives once; a timeout is `.slow`, a closed or broken connection `.malformed`.
    private func receive(_ client: Int32, into buffer: inout [UInt8]) -> Result<Int, ReadFailure> {
        let count = recv(client, &buffer, buffer.count, 0)
        if count > 0 { return .success(count) }
        if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return .failure(.slow) }
        return .failure(.malformed)
    }

    private func read(_ client: Int32) -> Result<HTTPRequest, ReadFailure> {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let separator = Data("\r\n\r\n".utf8)
        var headerEnd: Range<Data.Index>?
        while headerEnd == nil {
            switch receive(client, into: &buffer) {
            case .success(let count): data.append(buffer, count: count)
            case .failure(let failure): return .failure(failure)
            }
            headerEnd = data.range(of: separator)
            if headerEnd == nil && data.count > Self.maximumHeader { return .failure(.tooLarge) }
        }
        guard let headerEnd, let head = String(data: data[..<headerEnd.lowerBound], encoding: .utf8) else {
            return .failure(.malformed)
        }
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ").map(String.init) ?? []
        guard parts.count >= 2 else { return .failure(.malformed) }
        var length = 0
        var expectsContinue = false
        for line in lines.dropFirst() {
            let pair = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            switch pair[0].lowercased() {
            case "content-length":
                guard let value = Int(pair[1]), value >= 0 else { return .failure(.malformed) }
                length = value
            case "expect": expectsContinue = pair[1].lowercased() == "100-continue"
            default: break
            }
        }
        guard length <= Self.maximumBody else { return .failure(.tooLarge) }
        var body = data[headerEnd.upperBound...]
        // A client that waits for leave to send its body (curl for larger uploads) gets it at once.
        if expectsContinue && body.count < length { send(raw: Data("HTTP/1.1 100 Continue\r\n\r\n".utf8), to: client) }
        while body.count < length {
            switch receive(client, into: &buffer) {
            case .success(let count): body.append(contentsOf: buffer[0..<count])
            case .failure(let failure): return .failure(failure)
            }
        }
        let target = parts[1]
        let components = URLComponents(string: target)
        var query: [String: String] = [:]
        for item in components?.queryItems ?? [] { query[item.name] = item.value ?? "" }
        return .success(
            HTTPRequest(
                method: parts[0],
                path: components?.path ?? target,
                query: query,
                body: String(decoding: body.prefix(length), as: UTF8.self)
            )
        )
    }

    private func write(_ response: HTTPResponse, to client: Int32) {
        let reasons = [
            200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 408: "Request Timeout",
            413: "Content Too Large", 422: "Unprocessable Content", 503: "Service Unavailable",
        ]
        let body = Data(response.body.utf8)
        let head =
            "HTTP/1.1 \(response.status) \(reasons[response.status] ?? "Error")\r\n"
            + "Content-Type: \(response.contentType)\r\nContent-Length: \(body.count)\r\n"
            + "Access-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n"
        var bytes = Data(head.utf8)
        bytes.append(body)
        send(raw: bytes, to: client)
    }

    private func send(raw bytes: Data, to client: Int32) {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var sent = 0
            while sent < raw.count {
                #if canImport(Glibc)
                let n = Glibc.send(client, base.advanced(by: sent), raw.count - sent, Self.sendFlags)
                #else
                let n = Darwin.send(client, base.advanced(by: sent), raw.count - sent, Self.sendFlags)
                #endif
                if n <= 0 { return }
                sent += n
            }
        }
    }
}
