import Foundation

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

/// A small blocking HTTP/1.1 server on a TCP socket: one connection at a time per worker, one
/// request per connection (`Connection: close`). Enough for a local API and page; not a hardened
/// public server.
final class HTTPServer: @unchecked Sendable {
    private let descriptor: Int32
    /// The port the server listens on (the one the system chose when asked for port 0).
    let port: Int
    private let handler: @Sendable (HTTPRequest) -> HTTPResponse
    /// Requests larger than this are refused.
    static let maximumBody = 8 << 20
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

    /// Accepts connections until the process ends, answering each on a worker thread.
    func serve() -> Never {
        while true {
            let client = accept(descriptor, nil, nil)
            if client < 0 { continue }
            DispatchQueue.global().async { [self] in
                answer(client)
            }
        }
    }

    /// Starts serving on a background thread (for tests and embedding).
    func start() {
        Thread.detachNewThread { [self] in serve() }
    }

    private func answer(_ client: Int32) {
        defer { close(client) }
        let response: HTTPResponse
        if let request = read(client) {
            response = handler(request)
        } else {
            response = .error(400, "malformed or oversized request")
        }
        write(response, to: client)
    }

    private func read(_ client: Int32) -> HTTPRequest? {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let separator = Data("\r\n\r\n".utf8)
        var headerEnd: Range<Data.Index>?
        while headerEnd == nil {
            let count = recv(client, &buffer, buffer.count, 0)
            if count <= 0 { return nil }
            data.append(buffer, count: count)
            headerEnd = data.range(of: separator)
            if data.count > Self.maximumBody { return nil }
        }
        guard let headerEnd, let head = String(data: data[..<headerEnd.lowerBound], encoding: .utf8) else { return nil }
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ").map(String.init) ?? []
        guard parts.count >= 2 else { return nil }
        var length = 0
        for line in lines.dropFirst() {
            let pair = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2, pair[0].lowercased() == "content-length" { length = Int(pair[1]) ?? 0 }
        }
        guard length >= 0, length <= Self.maximumBody else { return nil }
        var body = data[headerEnd.upperBound...]
        while body.count < length {
            let count = recv(client, &buffer, buffer.count, 0)
            if count <= 0 { return nil }
            body.append(contentsOf: buffer[0..<count])
        }
        let target = parts[1]
        let components = URLComponents(string: target)
        var query: [String: String] = [:]
        for item in components?.queryItems ?? [] { query[item.name] = item.value ?? "" }
        return HTTPRequest(
            method: parts[0],
            path: components?.path ?? target,
            query: query,
            body: String(decoding: body.prefix(length), as: UTF8.self)
        )
    }

    private func write(_ response: HTTPResponse, to client: Int32) {
        let reasons = [
            200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 422: "Unprocessable Content",
        ]
        let body = Data(response.body.utf8)
        let head =
            "HTTP/1.1 \(response.status) \(reasons[response.status] ?? "Error")\r\n"
            + "Content-Type: \(response.contentType)\r\nContent-Length: \(body.count)\r\n"
            + "Access-Control-Allow-Origin: *\r\nConnection: close\r\n\r\n"
        var bytes = Data(head.utf8)
        bytes.append(body)
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var sent = 0
            while sent < raw.count {
                let n = send(client, base.advanced(by: sent), raw.count - sent, Self.sendFlags)
                if n <= 0 { return }
                sent += n
            }
        }
    }
}
