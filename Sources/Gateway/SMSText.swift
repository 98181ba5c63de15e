/// Placeholder until the SMS text rules land: counts one segment per message.
public enum SMSText {
    public static func segments(_ text: String) -> Int { 1 }
}
