import Foundation
import Gateway
import Testing

@Suite struct RoutingConfigLoaderTests {
    let env = Environment(["TEST_PASSWORD": "s3cr3t-value", "SENDER": "MAIRIE"])

    func load(_ json: String, env: Environment? = nil, lenient: Bool = false) throws(ConfigError) -> RoutingConfig {
        try RoutingConfigLoader(table: TestKinds.table, environment: env ?? self.env, lenient: lenient)
            .parse(Data(json.utf8), file: "routing.json")
    }

    func problems(_ json: String, env: Environment? = nil) -> [String] {
        do {
            _ = try load(json, env: env)
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    @Test func aValidConfigLoadsWithInterpolationDefaultsAndPolicy() throws {
        let config = try load("""
            { "_comment": "ignored",
              "channels": {
                "sms": { "kind": "test-sms", "sender": "${SENDER}", "timeout_seconds": 12,
                         "retry": { "max_attempts": 5, "initial_delay_ms": 100 }, "rate": { "per_second": 20 } },
                "letters": { "kind": "test-sink", "path": "${OUT:-var/out.jsonl}" } },
              "routes": { "sms": { "channels": ["sms"], "fallback": ["letters"] }, "courrier": { "channels": ["letters"] } } }
            """)
        let sms = try #require(config.channels["sms"])
        #expect(sms.settings.string("sender") == "MAIRIE")
        #expect(sms.settings.secret("password").value == "s3cr3t-value")
        #expect(sms.settings.int("timeout_seconds") == 12)
        #expect(sms.settings.bool("verify") == true)
        #expect(sms.policy.maxAttempts == 5)
        #expect(sms.policy.initialDelay == 0.1)
        #expect(sms.policy.ratePerSecond == 20)
        #expect(config.channels["letters"]?.settings.string("path") == "var/out.jsonl")
        #expect(config.routes[.sms] == Route(channels: ["sms"], fallback: ["letters"]))
        #expect(config.routes[.email] == nil)
    }

    @Test func unknownKindNamesTheValidKinds() {
        #expect(problems(#"{"channels": {"x": {"kind": "ventis-smss"}}, "routes": {}}"#)
                == ["routing.json: channels.x.kind: unknown kind 'ventis-smss'; valid kinds: test-mail, test-sink, test-sms"])
    }

    @Test func unknownChannelInARouteNamesTheConfiguredOnes() {
        #expect(problems(#"{"channels": {"out": {"kind": "test-sink", "path": "a"}}, "routes": {"courrier": {"channels": ["letters"]}}}"#)
                == ["routing.json: routes.courrier.channels[0]: unknown channel 'letters'; configured channels: out"])
    }

    @Test func aTypeRoutedToAChannelThatCannotReachItsAddressIsRefused() {
        #expect(problems(#"{"channels": {"m": {"kind": "test-mail"}}, "routes": {"sms": {"channels": ["m"]}}}"#)
                == ["routing.json: routes.sms.channels[0]: channel 'm' (test-mail) delivers to email addresses, but sms needs a phone address"])
    }

    @Test func aMissingRequiredSettingNamesItsVariable() {
        #expect(problems(#"{"channels": {"s": {"kind": "test-sms"}}, "routes": {"sms": {"channels": ["s"]}}}"#, env: Environment())
                == ["routing.json: channels.s.password: missing required setting (the password); set it here or set TEST_PASSWORD in the environment or .env"])
    }

    @Test func anUnsetVariableWithoutDefaultIsAnError() {
        #expect(problems(#"{"channels": {"o": {"kind": "test-sink", "path": "${NOPE}"}}, "routes": {"courrier": {"channels": ["o"]}}}"#)
                == ["routing.json: channels.o.path: ${NOPE} is not set (in the environment or .env); set it, or give a default as ${NOPE:-value}"])
    }

    @Test func aMistypedSettingKeyListsTheValidOnes() {
        #expect(problems(#"{"channels": {"s": {"kind": "test-sms", "sendr": "X"}}, "routes": {"sms": {"channels": ["s"]}}}"#)
                == ["routing.json: channels.s.sendr: unknown setting for kind test-sms; valid settings: sender, password, timeout_seconds, verify, retry, rate, window, price"])
    }

    @Test func wrongTypesAndBadPolicyValuesAreReported() {
        let found = problems("""
            {"channels": {"s": {"kind": "test-sms", "timeout_seconds": "soon", "verify": "maybe",
                                "retry": {"max_attempts": 0, "jitter": 1}, "rate": {"per_second": -1}}},
             "routes": {"sms": {"channels": ["s"]}}}
            """)
        #expect(found == [
            "routing.json: channels.s.timeout_seconds: the value 'soon' must be a whole number",
            "routing.json: channels.s.verify: the value 'maybe' must be true or false",
            "routing.json: channels.s.retry.jitter: unknown key; valid keys: max_attempts, initial_delay_ms, max_delay_ms, max_total_ms",
            "routing.json: channels.s.retry.max_attempts: must be a whole number from 1 to 20",
            "routing.json: channels.s.rate.per_second: must be a positive number",
        ])
    }

    @Test func unknownAndManualTypesCannotBeRouted() {
        let found = problems(#"{"channels": {"o": {"kind": "test-sink", "path": "a"}}, "routes": {"fax": {"channels": ["o"]}, "visite": {"channels": ["o"]}}}"#)
        #expect(found == [
            "routing.json: routes.fax: unknown relance type 'fax'; valid types: sms, email, courrier",
            "routing.json: routes.visite: 'visite' is done by hand and cannot be routed to a channel; routable types: sms, email, courrier",
        ])
    }

    @Test func everyProblemIsReportedAtOnce() {
        let found = problems("""
            {"extra": 1, "channels": {"a": {"kind": "nope"}, "b": {"kind": "test-sink"}},
             "routes": {"sms": {"channels": ["a", "zz"], "fallback": ["zz"]}}}
            """)
        #expect(found.count == 6)
        #expect(found.contains("routing.json: extra: unknown key; valid keys: channels, routes, templates"))
        #expect(found.contains("routing.json: channels.b.path: missing required setting (file); set it here"))
        #expect(found.contains("routing.json: routes.sms.fallback[0]: channel 'zz' appears twice in this route"))
    }

    @Test func malformedJSONSaysWhere() {
        let found = problems("{\"channels\": {\"a\": }")
        #expect(found.count == 1)
        #expect(found[0].hasPrefix("routing.json: is not valid JSON"))
    }

    @Test func aSecretNeverAppearsInAnError() {
        let json = #"{"channels": {"s": {"kind": "test-sms", "password": "hunter2-secret", "verify": "hunter2-secret"}}, "routes": {"sms": {"channels": ["s"]}}}"#
        #expect(problems(json).allSatisfy { !$0.contains("s3cr3t") })
        let bad = #"{"channels": {"s": {"kind": "test-sms", "password": 12}}, "routes": {"sms": {"channels": ["s"]}}}"#
        #expect(problems(bad).isEmpty)
        let config = try? load(bad)
        let shown = "\(config?.channels["s"]?.settings.secret("password") as Any)"
        #expect(shown.contains("****"))
    }

    @Test func templatesWithUnknownPlaceholdersAreRefused() {
        let found = problems(#"{"channels": {"o": {"kind": "test-sink", "path": "a"}}, "routes": {"courrier": {"channels": ["o"]}}, "templates": {"sms": "Bonjour {nom}, {montnt} FCFA"}}"#)
        #expect(found == ["routing.json: templates.sms: unknown placeholder {montnt}; valid placeholders: {nom}, {prenom}, {montant}, {echeance}, {taxe}, {nom_complet}, {nombre}"])
    }

    @Test func lenientLoadingSkipsChannelSettingsButNotStructure() throws {
        let config = try load(#"{"channels": {"s": {"kind": "test-sms", "password": "${UNSET_PASSWORD}"}}, "routes": {"sms": {"channels": ["s"]}}}"#,
                              env: Environment(), lenient: true)
        #expect(config.routes[.sms]?.channels == ["s"])
        let sink = ChannelConfig(name: "dry", kind: TestKinds.sink,
                                 settings: ChannelSettings(name: "dry", kind: "test-sink", file: "-", values: ["path": "x"]))
        let dry = config.dryRun(sink: sink)
        #expect(RelanceType.sendable.allSatisfy { dry.routes[$0] == Route(channels: ["dry"]) })
        #expect(dry.channels.keys.sorted() == ["dry"])
    }
}
