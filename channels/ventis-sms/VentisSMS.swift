import Gateway
import HTTP

/// The `ventis-sms` kind: SMS through the Ventis Messaging API, signed in with Keycloak.
/// Every setting falls back to the variable the office's existing back-office uses.
public enum VentisSMS {
    public static let kind = ChannelKind(
        kind: "ventis-sms",
        summary: "SMS through the Ventis Messaging API (Keycloak password grant)",
        accepts: .phone,
        settings: [
            SettingSpec("url", default: "https://messaging.ventis.group/messaging/api/v1", environment: "VENTIS_MESSAGING_URL",
                        help: "base URL of the messaging API"),
            SettingSpec("sender", default: "VENTIS", environment: "VENTIS_MESSAGING_SENDER", help: "sender id shown on the phone"),
            SettingSpec("keycloak_host", default: "https://signin.ventis.group", environment: "KEYCLOAK_MESSAGING_HOST", help: "Keycloak server"),
            SettingSpec("realm", default: "Messaging", environment: "KEYCLOAK_MESSAGING_REALM", help: "Keycloak realm"),
            SettingSpec("client_id", default: "api-messaging", environment: "KEYCLOAK_MESSAGING_CLIENT_ID", help: "OAuth2 client id"),
            SettingSpec("client_secret", .secret, default: "", environment: "KEYCLOAK_MESSAGING_CLIENT_SECRET",
                        help: "client secret; empty: not sent"),
            SettingSpec("username", environment: "KEYCLOAK_MESSAGING_USERNAME", required: true, help: "the account that sends"),
            SettingSpec("password", .secret, environment: "KEYCLOAK_MESSAGING_PASSWORD", required: true, help: "its password"),
            SettingSpec("debug", .boolean, default: "false", environment: "VENTIS_DEBUG", help: "log every exchange (secrets masked)"),
            SettingSpec("country_code", default: "241", help: "put in front of national numbers"),
            SettingSpec("national_digits", .integer, default: "8", help: "digits after the country code (8 in Gabon)"),
            SettingSpec("keep_trunk_zero", .boolean, default: "false",
                        help: "send 241 + the national number with its 0 (241077123456), which the network does not route"),
            SettingSpec("token_refresh_ratio", .number, default: "0.9", help: "renew the token after this share of its lifetime"),
            SettingSpec("transliterate", .boolean, default: "false", help: "replace characters that force UCS-2 (’ « » œ …) before sending"),
        ] + TransportSettings.specs(verifyEnvironment: "KEYCLOAK_VERIFY_SSL", timeout: "30", maxConnections: "128"),
        make: { settings, context throws(ConfigError) in try VentisSMSChannel(settings: settings, context: context) }
    )
}
