import Gateway
import HTTP

/// The `smtp` kind: e-mails handed to a mail server (SMTP with STARTTLS, or SMTPS).
public enum SMTP {
    public static let kind = ChannelKind(
        kind: "smtp",
        summary: "sends each e-mail to an SMTP server (smtp:// with STARTTLS, or smtps://)",
        accepts: .email,
        settings: [
            SettingSpec("url", environment: "SMTP_URL", required: true, help: "the server, e.g. smtp://smtp.mairie-libreville.ga:587 or smtps://…:465"),
            SettingSpec("starttls", default: "required", environment: "SMTP_STARTTLS",
                        help: "on smtp://: required (never send in clear), optional (when offered) or off"),
            SettingSpec("username", default: "", environment: "SMTP_USERNAME", help: "sign-in name; empty: no AUTH"),
            SettingSpec("password", .secret, default: "", environment: "SMTP_PASSWORD", help: "its password"),
            SettingSpec("from", required: true, help: "the sender address, e.g. relances@mairie-libreville.ga"),
            SettingSpec("from_name", default: "", help: "the sender's display name"),
            SettingSpec("reply_to", default: "", help: "an optional Reply-To address"),
        ] + TransportSettings.specs(timeout: "60", maxConnections: "4"),
        make: { settings, context throws(ConfigError) in try SMTPChannel(settings: settings, context: context) }
    )
}
