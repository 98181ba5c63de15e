import Foundation
import Gateway

/// The e-mail addresses the office can write to: `local@domain.tld`, ASCII, with
/// nothing that could break a header (no spaces, no CR/LF, no angle brackets).
public enum EmailAddress {
    /// Why `address` cannot be used, in French for the relance's notes; nil when it can.
    public static func problem(_ address: String) -> String? {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return "« \(address) » n'est pas une adresse e-mail (il faut exactement un @)" }
        let (local, domain) = (parts[0], parts[1])
        guard !local.isEmpty, local.utf8.count <= 64 else { return "« \(address) » : la partie avant @ est vide ou trop longue" }
        let localOK = local.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "!#$%&'*+-/=?^_`{|}~.".unicodeScalars.contains($0)) }
        guard localOK, !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else {
            return "« \(address) » : caractère non permis avant @"
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, domain.utf8.count <= 253,
              labels.allSatisfy({ label in
                  !label.isEmpty && label.utf8.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                      && label.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-") }
              }),
              let tld = labels.last, tld.count >= 2, tld.allSatisfy(\.isLetter)
        else { return "« \(address) » : le domaine après @ n'est pas valide" }
        return nil
    }
}

extension EmailAddress {
    /// The address an e-mail channel sends `delivery` to (spaces around it ignored), or
    /// why it cannot: the same answer for `check` and for `send`.
    public static func recipient(of delivery: Delivery) throws(ChannelError) -> String {
        let to = delivery.recipient.trimmingCharacters(in: .whitespaces)
        if let why = problem(to) { throw .invalidRecipient(why) }
        return to
    }

    /// An e-mail channel's `check(_:)`: the refused recipient said, the text as sent.
    public static func check(_ delivery: Delivery) -> DeliveryCheck {
        let problem = problem(delivery.recipient.trimmingCharacters(in: .whitespaces))
        return DeliveryCheck(problem: problem.map { ChannelError.invalidRecipient($0).description }, text: delivery.body)
    }
}
