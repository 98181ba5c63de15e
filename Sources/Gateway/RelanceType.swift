/// The office's relance types. Three are sent by channels; `appel` (a phone call)
/// and `visite` (a visit) are done by hand and are never routed.
public enum RelanceType: String, Sendable, Codable, CaseIterable, Comparable {
    case sms, email, appel, courrier, visite

    /// The address a message of this type is delivered to, or nil for the manual types.
    public var address: AddressKind? {
        switch self {
        case .sms: .phone
        case .email: .email
        case .courrier: .postal
        case .appel, .visite: nil
        }
    }

    /// The types a channel can send, in the order the office lists them.
    public static let sendable: [RelanceType] = [.sms, .email, .courrier]

    public static func < (a: RelanceType, b: RelanceType) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
