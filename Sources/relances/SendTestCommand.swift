import Foundation
import Gateway

enum SendTestCommand: Command {
    static let name = "send-test"
    static let summary = "Route one test message through the configured channels"
    static let help = """
        usage: relances send-test --type sms|email|courrier --to ADDRESS --text TEXT [--subject S] [options]

        Sends one message the way a relance of that type would go (route, retries,
        fallback) and prints the receipt, or why it failed. Nothing is stored.

        \(GatewayOptions.help)

        example: relances send-test --type sms --to "077 12 34 56" --text "Test de la passerelle"
        """

    static func run(_ arguments: inout Arguments) async throws -> Int32 {
        let options = try GatewayOptions(&arguments)
        guard let typeName = try arguments.option("type") else { throw UsageError("--type is required (sms, email or courrier)") }
        guard let type = RelanceType(rawValue: typeName), type.address != nil else {
            throw UsageError("--type must be sms, email or courrier, not '\(typeName)'")
        }
        guard let to = try arguments.option("to"), !to.isEmpty else { throw UsageError("--to is required (a phone number, e-mail or postal address)") }
        guard let text = try arguments.option("text"), !text.isEmpty else { throw UsageError("--text is required") }
        let subject = try arguments.option("subject") ?? "Test de la passerelle de relances"
        try arguments.finish()

        let logger = options.logger
        let dispatcher = try options.dispatcher(logger: logger)
        let delivery = Delivery(id: "test-\(UUID().uuidString.lowercased())", type: type, recipient: to,
                                subject: subject, body: text, metadata: ["origin": "send-test"])
        let result = await dispatcher.send(delivery) { attempt in
            let outcome: String
            switch attempt.result {
            case .success: outcome = "accepted"
            case .failure(let error): outcome = "\(error) [\(error.isRetryable ? "retryable" : "permanent")]"
            }
            print("attempt \(attempt.number) on \(attempt.channel): \(outcome)")
        }
        await dispatcher.close()
        switch result {
        case .delivered(let receipt, _):
            print("sent via \(receipt.channel): id \(receipt.messageID), to \(logger.mask(receipt.recipient)), at \(ISO8601.string(from: receipt.acceptedAt))")
            for key in receipt.details.keys.sorted() { print("  \(key): \(receipt.details[key]!)") }
            if !receipt.providerAnswer.isEmpty { print("  provider: \(receipt.providerAnswer)") }
            if !receipt.note.isEmpty { print("  note: \(receipt.note)") }
            return 0
        case .failed(let error, let attempts):
            print("not sent after \(attempts.count) attempt(s): \(error)")
            return 1
        case .deferred(let until):
            print("not sent: the channel's send window is closed; it opens at \(ISO8601.string(from: until))")
            return 1
        case .noRoute(let type):
            print("not sent: no route for type \(type.rawValue) in \(options.configFile)")
            return 1
        }
    }
}
