import Foundation
import Testing
import TestKit

/// One tab of a headless Chromium started for a test, driven over the DevTools protocol
/// as a person would use it: real clicks on real buttons, real typing, and the page's
/// own `confirm`/`prompt` dialogs answered one by one. Blocking calls: use it from
/// `offPool` (see the async helpers below), never from the cooperative pool.
/// `@unchecked Sendable`: `session` is written once in `init`, before the page is
/// shared; every other `var` is read and written with `state` held (the reader thread
/// and the callers wait on it).
final class DevToolsPage: @unchecked Sendable {
    struct Dialog: Decodable, Sendable { let type: String; let message: String }

    enum Failure: Error, CustomStringConvertible {
        case start(String)
        case timeout(String)
        case unexpectedDialog(Dialog)
        case protocolError(String)
        var description: String {
            switch self {
            case .start(let why): "Chromium did not start: \(why)"
            case .timeout(let what): "no answer from Chromium in time: \(what)"
            case .unexpectedDialog(let d): "the page opened a \(d.type) dialog nobody expected: \(d.message)"
            case .protocolError(let e): "DevTools error: \(e)"
            }
        }
    }

    private let process: Spawned
    private let profile: URL
    private let socket: WebSocketClient
    private var session = ""
    private let state = NSCondition()
    private var nextID = 0
    private var answers: [Int: [String: Any]] = [:]
    /// Every event the tab sent, in order: method and parameters.
    private var events: [(method: String, params: [String: Any])] = []
    private var dialogsTaken = 0
    private var closed = false

    init(chromium: String, width: Int = 1400, height: Int = 1000) throws {
        profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        process = try Spawned(chromium, ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=\(width),\(height)",
                                         "--remote-debugging-port=0", "--user-data-dir=\(profile.path)", "about:blank"])
        // Chromium writes its port and the browser's path there once it listens.
        let portFile = profile.appendingPathComponent("DevToolsActivePort")
        let deadline = Date().addingTimeInterval(60)
        var lines: [Substring] = []
        while lines.count < 2 && Date() < deadline && process.isRunning {
            lines = ((try? String(contentsOf: portFile, encoding: .utf8)) ?? "").split(separator: "\n")
            if lines.count < 2 { usleep(20_000) }
        }
        guard lines.count >= 2 else {
            process.terminate()
            throw Failure.start("no DevToolsActivePort in \(profile.path)")
        }
        socket = try WebSocketClient(url: "ws://127.0.0.1:\(lines[0])\(lines[1])")
        // A thread: the reader blocks in the socket's `recv`.
        Thread { [self] in readLoop() }.start()
        let target = try call("Target.createTarget", ["url": "about:blank"], inSession: false)
        let attached = try call("Target.attachToTarget", ["targetId": target["targetId"] as? String ?? "", "flatten": true], inSession: false)
        session = attached["sessionId"] as? String ?? ""
        for domain in ["Page", "Runtime", "Network", "Log"] { _ = try call("\(domain).enable") }
    }

    /// Stops the browser and removes its profile.
    func close() {
        socket.close()
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: profile)
    }

    // MARK: Commands

    /// Sends a command and answers its result; a dialog opening meanwhile is an error
    /// (the command would wait for it forever).
    @discardableResult
    func call(_ method: String, _ params: [String: Any] = [:], inSession: Bool = true, timeout: Double = 30) throws -> [String: Any] {
        let id = send(method, params, inSession: inSession)
        return try wait(for: method, timeout: timeout, dialogs: method == "Page.handleJavaScriptDialog") { try self.answers.removeValue(forKey: id).map { try Self.result($0) } }
    }

    /// Opens `url` and waits for its load event.
    func open(_ url: String) throws {
        let loaded = eventCount
        try call("Page.navigate", ["url": url])
        _ = try event("Page.loadEventFired", after: loaded)
    }

    /// The value of a JavaScript expression (awaited if it is a promise), as JSON text.
    func evaluate(_ expression: String, timeout: Double = 30) throws -> String {
        let r = try call("Runtime.evaluate", ["expression": "(async () => JSON.stringify(await (\(expression))))()",
                                              "awaitPromise": true, "returnByValue": true], timeout: timeout)
        if let exception = r["exceptionDetails"] { throw Failure.protocolError("\(expression): \(exception)") }
        return ((r["result"] as? [String: Any])?["value"] as? String) ?? "null"
    }

    func evaluate<T: Decodable>(_ expression: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(evaluate(expression).utf8))
    }

    /// Waits in the page (not here) until `condition` is true; false after `seconds`.
    func until(_ condition: String, seconds: Double = 20) throws -> Bool {
        try evaluate("""
            new Promise(ok => { const fin = Date.now() + \(Int(seconds * 1000));
              (function essai() { let v = false; try { v = !!(\(condition)); } catch (e) {}
                if (v || Date.now() > fin) ok(v); else setTimeout(essai, 20); })(); })
            """, timeout: seconds + 10) == "true"
    }

    /// Clicks the element as the page's own code would see a click, without waiting for
    /// what the click starts: a dialog it opens is read with `dialog()`.
    func click(_ selector: String) throws {
        let id = send("Runtime.evaluate", ["expression": "document.querySelector(\(Self.quoted(selector))).click()"])
        // Done when the click returned, or a dialog holds it (its answer comes later).
        _ = try wait(for: "click \(selector)", dialogs: true) { () -> Bool? in
            if let answer = self.answers.removeValue(forKey: id) { _ = try Self.result(answer); return true }
            return self.events.filter { $0.method == "Page.javascriptDialogOpening" }.count > self.dialogsTaken ? true : nil
        }
    }

    /// Clicks the element with the mouse: pressed and released at its centre (scrolled
    /// into view first), so the browser finds what is under the pointer, as for a person.
    func mouseClick(_ selector: String) throws {
        struct Point: Decodable { let x: Double; let y: Double }
        let p = try evaluate("""
            (() => { const e = document.querySelector(\(Self.quoted(selector))); e.scrollIntoView({ block: "center" });
              const r = e.getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + r.height / 2 }; })()
            """, as: Point.self)
        try call("Input.dispatchMouseEvent", ["type": "mouseMoved", "x": p.x, "y": p.y])
        for type in ["mousePressed", "mouseReleased"] {
            try call("Input.dispatchMouseEvent", ["type": type, "x": p.x, "y": p.y, "button": "left", "clickCount": 1])
        }
    }

    /// Moves the mouse over the element's centre, as a person hovering it.
    func hover(_ selector: String) throws {
        struct Point: Decodable { let x: Double; let y: Double }
        let p = try evaluate("""
            (() => { const e = document.querySelector(\(Self.quoted(selector))); e.scrollIntoView({ block: "center" });
              const r = e.getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + Math.min(r.height / 2, 10) }; })()
            """, as: Point.self)
        try call("Input.dispatchMouseEvent", ["type": "mouseMoved", "x": p.x, "y": p.y])
    }

    /// Types text into the focused element, as a keyboard would.
    func type(_ text: String) throws {
        try call("Input.insertText", ["text": text])
    }

    /// Presses a key (`Enter`, `ArrowDown`, `ArrowUp`, `Escape`, `Tab`) in the focused
    /// element, as a keyboard would: key down, then key up.
    func press(_ key: String) throws {
        let codes = ["Enter": 13, "ArrowDown": 40, "ArrowUp": 38, "Escape": 27, "Tab": 9]
        let code = codes[key] ?? 0
        var down: [String: Any] = ["type": "keyDown", "key": key, "code": key, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code]
        if key == "Enter" { down["text"] = "\r" }
        try call("Input.dispatchKeyEvent", down)
        try call("Input.dispatchKeyEvent", ["type": "keyUp", "key": key, "code": key, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code])
    }

    /// The next dialog the page opened (waiting for it); it stays open until `answer`.
    func dialog(timeout: Double = 30) throws -> Dialog {
        try wait(for: "a dialog", timeout: timeout, dialogs: true) { () -> Dialog? in
            let dialogs = self.events.filter { $0.method == "Page.javascriptDialogOpening" }
            guard dialogs.count > self.dialogsTaken else { return nil }
            self.dialogsTaken += 1
            let p = dialogs[self.dialogsTaken - 1].params
            return Dialog(type: p["type"] as? String ?? "", message: p["message"] as? String ?? "")
        }
    }

    /// Answers the open dialog: OK (with `text` for a prompt) or Annuler.
    func answer(accept: Bool, text: String? = nil) throws {
        var params: [String: Any] = ["accept": accept]
        if let text { params["promptText"] = text }
        try call("Page.handleJavaScriptDialog", params)
    }

    /// A PNG of the viewport.
    func screenshot() throws -> Data {
        Data(base64Encoded: try call("Page.captureScreenshot", ["format": "png"])["data"] as? String ?? "") ?? Data()
    }

    // MARK: Events

    var eventCount: Int { state.withLock { events.count } }

    /// The first event named `method` after the first `index` events, waiting for it.
    func event(_ method: String, after index: Int = 0, timeout: Double = 30) throws -> [String: Any] {
        try wait(for: method, timeout: timeout) { self.events.dropFirst(index).first { $0.method == method }?.params }
    }

    /// Every event named `method` so far.
    func events(_ method: String) -> [[String: Any]] {
        state.withLock { events.filter { $0.method == method }.map(\.params) }
    }

    /// The requests the page made (method and path with query) since `index`.
    func requests(after index: Int = 0) -> [(method: String, url: String, body: String)] {
        state.withLock {
            events.dropFirst(index).filter { $0.method == "Network.requestWillBeSent" }.compactMap { e in
                guard let r = e.params["request"] as? [String: Any], let url = r["url"] as? String else { return nil }
                return (r["method"] as? String ?? "", URL(string: url).map { $0.path + ($0.query.map { "?" + $0 } ?? "") } ?? url,
                        r["postData"] as? String ?? "")
            }
        }
    }

    /// What the page's code threw or the browser refused (CSP, Trusted Types), as text.
    var problems: [String] {
        state.withLock {
            events.compactMap { e in
                switch e.method {
                case "Runtime.exceptionThrown": return "\(e.params["exceptionDetails"] ?? "")"
                case "Log.entryAdded":
                    let entry = e.params["entry"] as? [String: Any] ?? [:]
                    return entry["level"] as? String == "error" && entry["source"] as? String != "network" ? entry["text"] as? String : nil
                default: return nil
                }
            }
        }
    }

    // MARK: Plumbing

    private func send(_ method: String, _ params: [String: Any], inSession: Bool = true) -> Int {
        let id = state.withLock { nextID += 1; return nextID }
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if inSession { message["sessionId"] = session }
        let data = (try? JSONSerialization.data(withJSONObject: message)) ?? Data()
        socket.send(String(decoding: data, as: UTF8.self))
        return id
    }

    /// Waits until `ready` (run under the lock) answers a value; an unexpected dialog
    /// or the end of the connection stops the wait.
    private func wait<T>(for what: String, timeout: Double = 30, dialogs: Bool = false, _ ready: () throws -> T?) throws -> T {
        let deadline = Date().addingTimeInterval(timeout)
        state.lock()
        defer { state.unlock() }
        while true {
            if let value = try ready() { return value }
            if !dialogs, events.filter({ $0.method == "Page.javascriptDialogOpening" }).count > dialogsTaken {
                let p = events.filter { $0.method == "Page.javascriptDialogOpening" }[dialogsTaken].params
                throw Failure.unexpectedDialog(Dialog(type: p["type"] as? String ?? "", message: p["message"] as? String ?? ""))
            }
            if closed { throw Failure.protocolError("the connection closed while waiting for \(what)") }
            if !state.wait(until: deadline) { throw Failure.timeout(what) }
        }
    }

    private static func result(_ answer: [String: Any]) throws -> [String: Any] {
        if let error = answer["error"] { throw Failure.protocolError("\(error)") }
        return answer["result"] as? [String: Any] ?? [:]
    }

    private func readLoop() {
        while let text = socket.receive() {
            guard let message = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else { continue }
            state.withLock {
                if let id = message["id"] as? Int { answers[id] = message }
                else if let method = message["method"] as? String { events.append((method, message["params"] as? [String: Any] ?? [:])) }
                state.broadcast()
            }
        }
        state.withLock { closed = true; state.broadcast() }
    }

    static func quoted(_ s: String) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: s, options: .fragmentsAllowed)) ?? Data(), as: UTF8.self)
    }
}

extension DevToolsPage {
    /// Starts a tab off the cooperative pool (the server under test needs it).
    static func start(width: Int = 1400, height: Int = 1000) async throws -> DevToolsPage {
        let chromium = try #require(Chromium.path)
        return try await offPool { try DevToolsPage(chromium: chromium, width: width, height: height) }
    }

    /// Runs blocking steps on a thread of their own.
    func run<T: Sendable>(_ steps: @escaping @Sendable (DevToolsPage) throws -> T) async throws -> T {
        try await offPool { try steps(self) }
    }
}
