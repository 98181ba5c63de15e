import Foundation
import Gateway
import HTTP
import ProviderSandbox

enum SandboxCommand: Command {
    static let name = "sandbox"
    static let summary = "Run the local Keycloak + Ventis provider sandbox"
    static let help = """
        usage: relances sandbox [--port 8090] [--latency-ms N] [--failure-rate X] [--timeout-rate X]
                                [--timeout-hold S] [--garbage-rate X] [--drop-rate X] [--unauthorized-rate X]
                                [--expires-in S] [--client-secret S] [--refuse NUMBER]... [--smtp-port N [--smtp-cert PEM --smtp-key PEM]]

        A local double of Keycloak and the Ventis Messaging API that speaks the real
        protocol. It prints the variables that point the ventis-sms channel at it, and
        lists what it received at GET /sandbox/messages. Ctrl-C stops it.

          --port N               port on 127.0.0.1 (default 8090; 0 picks a free one)
          --latency-ms N         added to every message answer
          --failure-rate X       share (0..1) of message requests answered 500
          --timeout-rate X       share held without answer, then the connection closed
          --timeout-hold S       how long those are held (default 35 s, past the channel's 30 s)
          --garbage-rate X       share answered 200 with a body that is neither +SUCCESS nor -ERROR
          --drop-rate X          share whose connection is closed at once without an answer
          --unauthorized-rate X  share answered 401 even with a good token
          --expires-in S         token lifetime in seconds (default 300)
          --client-secret S      require this client secret
          --refuse NUMBER        answer -ERROR|NUMBER_REFUSED for this number (repeatable)
          --smtp-port N          also run the SMTP double on this port (0: a free one) for the smtp channel
          --smtp-cert PEM        with --smtp-key: offer STARTTLS with this certificate (needs the openssl command)

        While it runs:
          curl http://127.0.0.1:8090/sandbox/messages                      what it received
          curl -X DELETE http://127.0.0.1:8090/sandbox/messages            forget it
          curl -X PUT http://127.0.0.1:8090/sandbox/faults -d '{"failureRate": 0.2}'
          curl -X POST http://127.0.0.1:8090/sandbox/revoke-tokens         a 401 storm
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        var config = SandboxConfiguration()
        let port = try arguments.int("port", default: 8090, in: 0...65535)
        config.faults.latency = Double(try arguments.int("latency-ms", default: 0, in: 0...600_000)) / 1000
        config.faults.failureRate = try rate(&arguments, "failure-rate")
        config.faults.timeoutRate = try rate(&arguments, "timeout-rate")
        config.faults.garbageRate = try rate(&arguments, "garbage-rate")
        config.faults.dropRate = try rate(&arguments, "drop-rate")
        config.faults.unauthorizedRate = try rate(&arguments, "unauthorized-rate")
        config.faults.timeoutHold = Double(try arguments.int("timeout-hold", default: 35, in: 0...3600))
        config.expiresIn = try arguments.int("expires-in", default: 300, in: 1...86_400)
        config.clientSecret = try arguments.option("client-secret")
        config.refusedNumbers = Set(try arguments.options("refuse"))
        let smtpPort = try arguments.option("smtp-port").map { text throws(UsageError) -> Int in
            guard let n = Int(text), (0...65535).contains(n) else { throw UsageError("--smtp-port must be a port from 0 to 65535, not '\(text)'") }
            return n
        }
        let smtpCert = try arguments.option("smtp-cert"), smtpKey = try arguments.option("smtp-key")
        try arguments.finish()
        guard (smtpCert == nil) == (smtpKey == nil) else { throw UsageError("--smtp-cert and --smtp-key go together") }
        let f = config.faults
        if f.failureRate + f.timeoutRate + f.garbageRate + f.dropRate > 1 {
            throw UsageError("--failure-rate, --timeout-rate, --garbage-rate and --drop-rate together must not exceed 1")
        }
        let sandbox = ProviderSandbox(configuration: config, port: port)
        try sandbox.start()
        print("provider sandbox listening on 127.0.0.1:\(sandbox.port)")
        print("point the ventis-sms channel at it (e.g. in .env):")
        for key in sandbox.environment.keys.sorted() { print("  \(key)=\(sandbox.environment[key]!)") }
        print("received messages: GET http://127.0.0.1:\(sandbox.port)/sandbox/messages")
        print("faults now: GET/PUT http://127.0.0.1:\(sandbox.port)/sandbox/faults; Ctrl-C stops")
        let tls = smtpCert.flatMap { cert in smtpKey.map { (certificate: cert, key: $0) } }
        let mail = try smtpPort.map { try SMTPSandbox(port: $0, tls: tls) }
        if let mail {
            print("SMTP double on 127.0.0.1:\(mail.port); point the smtp channel at it:")
            print("  SMTP_URL=\(mail.url)")
            print(tls == nil ? "  SMTP_STARTTLS=optional   (no --smtp-cert: the double offers no TLS)"
                             : "  and trust the certificate: ca_file=\(tls!.certificate)")
        }
        let signal = await SignalWaiter.termination()
        print("signal \(signal): stopping")
        mail?.stop()
        sandbox.beginStop()
        await sandbox.stopped()
        return 0
    }

    static func rate(_ arguments: inout Arguments, _ name: String) throws(UsageError) -> Double {
        guard let text = try arguments.option(name) else { return 0 }
        guard let value = Double(text), (0...1).contains(value) else { throw UsageError("--\(name) must be a number from 0 to 1, not '\(text)'") }
        return value
    }
}
