import Foundation
import Gateway
import HTTP
import ProviderSandbox

enum SandboxCommand: Command {
    static let name = "sandbox"
    static let summary = "Run the local Keycloak + Ventis provider sandbox"
    static let help = """
        usage: relances sandbox [--port 8090] [--latency-ms N] [--failure-rate X] [--timeout-rate X]
                                [--garbage-rate X] [--expires-in S] [--client-secret S] [--refuse NUMBER]...

        A local double of Keycloak and the Ventis Messaging API that speaks the real
        protocol. It prints the variables that point the ventis-sms channel at it, and
        lists what it received at GET /sandbox/messages. Ctrl-C stops it.

          --port N            port on 127.0.0.1 (default 8090; 0 picks a free one)
          --latency-ms N      added to every message answer
          --failure-rate X    share (0..1) of message requests answered 500
          --timeout-rate X    share held without answer (the client times out)
          --garbage-rate X    share answered 200 with a body that is neither +SUCCESS nor -ERROR
          --expires-in S      token lifetime in seconds (default 300)
          --client-secret S   require this client secret
          --refuse NUMBER     answer -ERROR for this number (repeatable)
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        var config = SandboxConfiguration()
        let port = try arguments.int("port", default: 8090, in: 0...65535)
        config.faults.latency = Double(try arguments.int("latency-ms", default: 0, in: 0...600_000)) / 1000
        config.faults.failureRate = try rate(&arguments, "failure-rate")
        config.faults.timeoutRate = try rate(&arguments, "timeout-rate")
        config.faults.garbageRate = try rate(&arguments, "garbage-rate")
        config.expiresIn = try arguments.int("expires-in", default: 300, in: 1...86_400)
        config.clientSecret = try arguments.option("client-secret")
        config.refusedNumbers = Set(try arguments.options("refuse"))
        try arguments.finish()
        let sandbox = ProviderSandbox(configuration: config, port: port)
        try sandbox.start()
        print("provider sandbox listening on 127.0.0.1:\(sandbox.port)")
        print("point the ventis-sms channel at it (e.g. in .env):")
        for key in sandbox.environment.keys.sorted() { print("  \(key)=\(sandbox.environment[key]!)") }
        print("received messages: GET http://127.0.0.1:\(sandbox.port)/sandbox/messages")
        SignalWaiter.waitForTermination()
        print("stopping")
        sandbox.stop()
        return 0
    }

    static func rate(_ arguments: inout Arguments, _ name: String) throws(UsageError) -> Double {
        guard let text = try arguments.option(name) else { return 0 }
        guard let value = Double(text), (0...1).contains(value) else { throw UsageError("--\(name) must be a number from 0 to 1, not '\(text)'") }
        return value
    }
}
