import CCurl
import Foundation

/// One request on one curl handle: options, callbacks, and the error mapping.
enum CurlTransfer {
    /// What the callbacks fill while curl runs.
    final class Sink {
        var body = Data()
        var headers = HTTPHeaders()
        var limit: Int
        var tooLarge = false
        init(limit: Int) { self.limit = limit }
    }

    static func perform(_ request: HTTPClientRequest, on handle: UnsafeMutableRawPointer,
                        configuration: CurlHTTPClient.Configuration) -> Result<HTTPClientResponse, HTTPClientError> {
        curl_easy_reset(handle)   // keeps the handle's open connections and caches
        // Reset again afterwards too: the handle must not keep pointers to the error
        // buffer, header list and sink freed when this call returns.
        defer { curl_easy_reset(handle) }
        guard request.url.hasPrefix("http://") || request.url.hasPrefix("https://") else {
            return .failure(.invalidURL(request.url))
        }
        let sink = Sink(limit: configuration.maxResponseBytes)
        let sinkPointer = Unmanaged.passRetained(sink)
        defer { sinkPointer.release() }
        // curl writes its error text here during perform: it must outlive the call.
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        defer { errorBuffer.deallocate() }
        var headerList: UnsafeMutablePointer<curl_slist>?
        defer { curl_slist_free_all(headerList) }

        let timeout = request.timeout ?? configuration.timeout
        curlTransport(handle, url: request.url, timeout: timeout, configuration: configuration, errorBuffer: errorBuffer)
        ccurl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        ccurl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        ccurl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0)
        // A declared Content-Length over the cap stops the transfer before any byte is read;
        // the write callback catches bodies that do not declare one.
        ccurl_setopt_off_t(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maxResponseBytes))

        switch request.method {
        case "GET": ccurl_setopt_long(handle, CURLOPT_HTTPGET, 1)
        case "HEAD": ccurl_setopt_long(handle, CURLOPT_NOBODY, 1)
        case "POST": ccurl_setopt_long(handle, CURLOPT_POST, 1)
        default: ccurl_setopt_string(handle, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if !request.body.isEmpty || request.method == "POST" || request.method == "PUT" || request.method == "PATCH" {
            ccurl_setopt_off_t(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count))
            if request.body.isEmpty {
                ccurl_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, "")
            } else {
                // COPYPOSTFIELDS copies now, so the bytes need not outlive this call.
                _ = request.body.withUnsafeBytes { raw in
                    ccurl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress!))
                }
            }
        }
        var fields = request.headers.fields
        if !fields.contains(where: { $0.name.caseInsensitiveCompare("Expect") == .orderedSame }) {
            fields.append(("Expect", ""))   // no 100-continue round trip for small bodies
        }
        for field in fields {
            headerList = curl_slist_append(headerList, "\(field.name): \(field.value)")
        }
        ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        ccurl_setopt_write_function(handle, CURLOPT_WRITEFUNCTION, curlWriteBody)
        ccurl_setopt_pointer(handle, CURLOPT_WRITEDATA, sinkPointer.toOpaque())
        ccurl_setopt_write_function(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader)
        ccurl_setopt_pointer(handle, CURLOPT_HEADERDATA, sinkPointer.toOpaque())

        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            // curl's generic text for the code, and its specific one when it wrote any.
            let detail = String(cString: errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
            let generic = String(cString: curl_easy_strerror(code))
            let message = detail.isEmpty || detail == generic ? generic : "\(generic): \(detail)"
            return .failure(error(code, message: message, sink: sink, timeout: timeout))
        }
        var status = 0
        ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return .success(HTTPClientResponse(status: status, headers: sink.headers, body: sink.body))
    }

    static func error(_ code: CURLcode, message: String, sink: Sink, timeout: Double) -> HTTPClientError {
        switch code {
        case CURLE_OPERATION_TIMEDOUT: .timeout(seconds: timeout)
        case CURLE_COULDNT_CONNECT: .connectionRefused(message)
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: .dnsFailure(message)
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_ISSUER_ERROR,
             CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_CRL_BADFILE, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT:
            .certificate(message)
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED,
             CURLE_SSL_ENGINE_INITFAILED, CURLE_USE_SSL_FAILED:
            .tls(message)
        case CURLE_WRITE_ERROR where sink.tooLarge: .bodyTooLarge(limit: sink.limit)
        case CURLE_FILESIZE_EXCEEDED: .bodyTooLarge(limit: sink.limit)
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL: .invalidURL(message)
        default: .transport(message)
        }
    }
}

private func curlWriteBody(_ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let pointer, let context else { return 0 }
    let sink = Unmanaged<CurlTransfer.Sink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    if sink.body.count + length > sink.limit {
        sink.tooLarge = true
        return 0   // makes curl stop with CURLE_WRITE_ERROR
    }
    pointer.withMemoryRebound(to: UInt8.self, capacity: length) { sink.body.append($0, count: length) }
    return length
}

private func curlWriteHeader(_ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let pointer, let context else { return 0 }
    let sink = Unmanaged<CurlTransfer.Sink>.fromOpaque(context).takeUnretainedValue()
    let length = size * count
    let line = curlLine(pointer, length)
    if line.hasPrefix("HTTP/") {
        sink.headers = HTTPHeaders()   // a new response (after 100 Continue): start over
    } else if let colon = line.firstIndex(of: ":") {
        sink.headers.add(String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
    }
    return length
}

/// What every transfer sets the same way, HTTP or SMTP: the URL, no signals (curl runs
/// on worker threads), the time limits, the TLS checks and CA file, the proxy, and the
/// buffer curl writes its error message to.
func curlTransport(_ handle: UnsafeMutableRawPointer, url: String, timeout: Double, configuration: CurlHTTPClient.Configuration,
                   errorBuffer: UnsafeMutablePointer<CChar>) {
    ccurl_setopt_string(handle, CURLOPT_URL, url)
    ccurl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
    ccurl_setopt_long(handle, CURLOPT_TIMEOUT_MS, max(1, Int(timeout * 1000)))
    ccurl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, max(1, Int(min(configuration.connectTimeout, timeout) * 1000)))
    ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, configuration.verifyTLS ? 1 : 0)
    ccurl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, configuration.verifyTLS ? 2 : 0)
    if let ca = configuration.caFile { ccurl_setopt_string(handle, CURLOPT_CAINFO, ca) }
    if let proxy = configuration.proxy { ccurl_setopt_string(handle, CURLOPT_PROXY, proxy) }
    ccurl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer)
}

/// One line curl hands a header or reply callback, as text, without its line break.
func curlLine(_ pointer: UnsafeMutablePointer<CChar>, _ length: Int) -> String {
    pointer.withMemoryRebound(to: UInt8.self, capacity: length) {
        String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
    }.trimmingCharacters(in: .whitespacesAndNewlines)
}
