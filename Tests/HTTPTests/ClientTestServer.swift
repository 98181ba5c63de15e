import Foundation
import HTTP
#if canImport(Glibc)
import Glibc
import TestKit
#endif

/// A test server in Python (`http.server`), run as a subprocess on 127.0.0.1: plain
/// HTTP, or HTTPS with a self-signed certificate that `openssl` makes for the test.
/// It shows what the project's own server cannot: a body with no `Content-Length`,
/// and TLS.
///
/// Routes: `/peer` answers the client's `ip:port` (one port = one connection),
/// `/nolength?n=N` N bytes without `Content-Length` (the end is the close),
/// anything else `ok`.
struct ClientTestServer {
    let process: Spawned
    /// The script's standard input, held open while the server should live: the script
    /// exits when it closes.
    let lifeline: FileHandle
    let port: Int
    /// The certificate (PEM), for HTTPS.
    let certificate: String?
    let folder: URL

    static let script = """
        import http.server, os, ssl, sys, threading
        # Exit when the test process goes away (its end of our stdin closes), however it ends.
        threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def do_GET(self):
                if self.path.startswith("/nolength"):
                    n = int(self.path.split("n=")[1])
                    self.protocol_version = "HTTP/1.0"
                    self.send_response(200)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(b"x" * n)
                    self.close_connection = True
                    return
                body = ("%s:%d" % self.client_address).encode() if self.path == "/peer" else b"ok"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
        httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if len(sys.argv) > 1:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[1], sys.argv[2])
            httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
        print(httpd.server_address[1], flush=True)
        httpd.serve_forever()
        """

    enum Failure: Error { case didNotStart(String) }

    static func start(tls: Bool) throws -> ClientTestServer {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("client-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let scriptPath = folder.appendingPathComponent("server.py").path
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        var arguments = [scriptPath]
        var certificate: String?
        if tls {
            let cert = folder.appendingPathComponent("cert.pem").path, key = folder.appendingPathComponent("key.pem").path
            let make = try Spawned("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                                               "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"])
            make.waitUntilExit()
            guard make.terminationStatus == 0 else { throw Failure.didNotStart("openssl req failed") }
            arguments += [cert, key]
            certificate = cert
        }
        // The system's Python, not a version manager's shim, so terminate() reaches it.
        let python = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
        let process = try Spawned(python, arguments, input: .pipe, output: .pipe, error: .null)
        // The script prints its port once it listens; wait for that line, bounded.
        let port = try readPort(process.output!, process: process)
        return ClientTestServer(process: process, lifeline: process.input!, port: port, certificate: certificate, folder: folder)
    }

    private static func readPort(_ handle: FileHandle, process: Spawned) throws -> Int {
        let fd = handle.fileDescriptor
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) > 0 else { continue }
            var byte: UInt8 = 0
            guard read(fd, &byte, 1) == 1 else { break }
            if byte == UInt8(ascii: "\n"), let port = Int(text) { return port }
            text.append(Character(UnicodeScalar(byte)))
        }
        kill(process.processIdentifier, SIGKILL)
        throw Failure.didNotStart("the Python test server printed no port (got '\(text)')")
    }

    /// SIGKILL: the test process may block or ignore SIGTERM (signal handling of the
    /// server under test), and children inherit that, so a plain terminate() can miss.
    func stop() {
        try? lifeline.close()
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: folder)
    }
}

