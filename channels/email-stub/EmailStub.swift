import Gateway

/// The `email-stub` kind: real e-mail messages written to a spool folder, nothing sent.
public enum EmailStub {
    public static let kind = ChannelKind(
        kind: "email-stub",
        summary: "writes each e-mail as an RFC 5322 .eml file in a spool folder (sends nothing)",
        accepts: .email,
        settings: [
            SettingSpec("from", required: true, help: "the sender address, e.g. relances@mairie-libreville.ga"),
            SettingSpec("from_name", default: "", help: "the sender's display name, e.g. Mairie de Libreville"),
            SettingSpec("directory", required: true, help: "the spool folder, e.g. var/mail"),
            SettingSpec("reply_to", default: "", help: "an optional Reply-To address"),
        ],
        make: { settings, context throws(ConfigError) in try EmailStubChannel(settings: settings, context: context) }
    )
}
