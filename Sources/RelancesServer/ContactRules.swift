import EmailStub
import Foundation
import Gateway

/// The checks a taxpayer's contact details pass, the import's and the channels': one
/// place for the API to call, whichever module holds the rules.
enum ContactRules {
    /// Why `raw` is no phone number the SMS channel can send to (in French); nil when it is one.
    static func phoneProblem(_ raw: String) -> String? {
        let rule = PhoneNumberFormat()
        return switch rule.format(raw) {
        case .success: nil
        case .failure(let why): rule.explain(why)
        }
    }

    /// Why `raw` is no e-mail address the mail channel can write to; nil when it is one.
    static func emailProblem(_ raw: String) -> String? { EmailAddress.problem(raw) }

    /// The longest postal address kept (characters).
    static let addressLimit = 500
}
