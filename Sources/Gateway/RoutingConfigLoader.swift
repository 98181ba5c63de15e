import Foundation

/// Reads a routing config and checks it whole: every problem is reported at once,
/// each naming the file, the JSON path and the valid choices.
public struct RoutingConfigLoader: Sendable {
    public var table: ChannelTable
    public var environment: Environment
    /// Lenient loading checks the structure but not the channels' own settings, and
    /// tolerates unset variables: what a dry run needs, since it builds no channel.
    public var lenient: Bool

    /// Keys a channel section may hold besides its kind's settings.
    static let gatewayKeys = ["kind", "retry", "rate", "window", "price"]
    static let topLevelKeys = ["channels", "routes", "templates"]

    public init(table: ChannelTable, environment: Environment, lenient: Bool = false) {
        self.table = table
        self.environment = environment
        self.lenient = lenient
    }

    public func load(file: String) throws(ConfigError) -> RoutingConfig {
        guard let data = FileManager.default.contents(atPath: file) else {
            let exists = FileManager.default.fileExists(atPath: file)
            throw ConfigError(file: file, path: "", exists ? "cannot be read; check its permissions"
                                                           : "no such file; pass --config with the path of a routing config (channels/routing.json is the default)")
        }
        return try parse(data, file: file)
    }

    public func parse(_ data: Data, file: String) throws(ConfigError) -> RoutingConfig {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw ConfigError(file: file, path: "", "is not valid JSON: \(Self.jsonErrorDetail(error))")
        }
        var session = Session(file: file, loader: self)
        return try session.config(from: root)
    }

    static func jsonErrorDetail(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let underlying = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String
            return underlying ?? context.debugDescription
        }
        return "\(error)"
    }
}

/// One load: collects problems as it walks the document.
private struct Session {
    let file: String
    let loader: RoutingConfigLoader
    var problems: [ConfigProblem] = []

    init(file: String, loader: RoutingConfigLoader) {
        self.file = file
        self.loader = loader
    }

    mutating func problem(_ path: String, _ message: String) {
        problems.append(ConfigProblem(file: file, path: path, message: message))
    }

    mutating func config(from root: JSONValue) throws(ConfigError) -> RoutingConfig {
        guard case .object(let top) = root else {
            throw ConfigError(file: file, path: "", "must be a JSON object with \"channels\" and \"routes\"")
        }
        for key in top.keys.sorted() where !isComment(key) && !RoutingConfigLoader.topLevelKeys.contains(key) {
            problem(key, "unknown key; valid keys: \(RoutingConfigLoader.topLevelKeys.joined(separator: ", "))")
        }
        var channels: [String: ChannelConfig] = [:]
        switch top["channels"] {
        case .object(let sections)?:
            for name in sections.keys.sorted() where !isComment(name) {
                if let c = channel(name: name, section: sections[name]!) { channels[name] = c }
            }
        case nil: problem("channels", "missing; name at least one channel")
        case let other?: problem("channels", "must be an object of channels by name, not \(other.typeName)")
        }
        let declared = Set((top["channels"].flatMap { if case .object(let o) = $0 { Array(o.keys) } else { nil } } ?? []).filter { !isComment($0) })
        var routes: [RelanceType: Route] = [:]
        switch top["routes"] {
        case .object(let sections)?:
            for key in sections.keys.sorted() where !isComment(key) {
                if let (type, route) = route(key: key, value: sections[key]!, declared: declared, channels: channels) {
                    routes[type] = route
                }
            }
        case nil: problem("routes", "missing; route at least one of: \(RelanceType.sendable.map(\.rawValue).joined(separator: ", "))")
        case let other?: problem("routes", "must be an object of routes by relance type, not \(other.typeName)")
        }
        let found = self.templates(top["templates"])
        if !problems.isEmpty { throw ConfigError(problems) }
        var config = RoutingConfig(file: file, channels: channels, routes: routes, templates: found.texts)
        config.segmentBudgets = found.budgets
        config.groupTemplates = found.grouped
        config.ungroupedTypes = found.ungrouped
        return config
    }

    func isComment(_ key: String) -> Bool { key.hasPrefix("_") }

    // MARK: channels

    mutating func channel(name: String, section: JSONValue) -> ChannelConfig? {
        let at = "channels.\(name)"
        guard case .object(let fields) = section else {
            problem(at, "must be an object with a \"kind\", not \(section.typeName)")
            return nil
        }
        let validKinds = loader.table.names.joined(separator: ", ")
        guard case .string(let kindName)? = fields["kind"] else {
            problem("\(at).kind", fields["kind"] == nil ? "missing; valid kinds: \(validKinds)" : "must be a string; valid kinds: \(validKinds)")
            return nil
        }
        guard let kind = loader.table[kindName] else {
            problem("\(at).kind", "unknown kind '\(kindName)'; valid kinds: \(validKinds)")
            return nil
        }
        let specs = Dictionary(uniqueKeysWithValues: kind.settings.map { ($0.name, $0) })
        var values: [String: String] = [:]
        var given = Set<String>()
        for key in fields.keys.sorted() where !isComment(key) && !RoutingConfigLoader.gatewayKeys.contains(key) {
            given.insert(key)
            guard let spec = specs[key] else {
                let valid = (kind.settings.map(\.name) + RoutingConfigLoader.gatewayKeys.dropFirst()).joined(separator: ", ")
                problem("\(at).\(key)", "unknown setting for kind \(kindName); valid settings: \(valid)")
                continue
            }
            if let text = settingText(fields[key]!, spec: spec, path: "\(at).\(key)") { values[key] = text }
        }
        for spec in kind.settings where values[spec.name] == nil && !given.contains(spec.name) {
            if let variable = spec.environment, let fromEnv = loader.environment[variable], !fromEnv.isEmpty {
                if let text = checked(fromEnv, spec: spec, path: "\(at).\(spec.name)", source: "the variable \(variable)") {
                    values[spec.name] = text
                }
            } else if let value = spec.defaultValue {
                values[spec.name] = value
            } else if spec.required && !loader.lenient {
                let hint = spec.environment.map { " or set \($0) in the environment or .env" } ?? ""
                problem("\(at).\(spec.name)", "missing required setting (\(spec.help)); set it here\(hint)")
            }
        }
        let policy = self.policy(fields, at: at)
        return ChannelConfig(name: name, kind: kind,
                             settings: ChannelSettings(name: name, kind: kindName, file: file, values: values),
                             policy: policy)
    }

    /// A setting's JSON value as text, after `${VAR}` expansion and a type check.
    mutating func settingText(_ value: JSONValue, spec: SettingSpec, path: String) -> String? {
        switch value {
        case .string(let raw):
            switch Interpolation.expand(raw, in: loader.environment) {
            case .success(let text): return checked(text, spec: spec, path: path, source: "the value")
            case .failure(.unset(let variable)):
                if !loader.lenient {
                    problem(path, "${\(variable)} is not set (in the environment or .env); set it, or give a default as ${\(variable):-value}")
                }
                return nil
            case .failure(.malformed(let why)):
                problem(path, why)
                return nil
            }
        case .number(let n): return checked(JSONValue.number(n).description, spec: spec, path: path, source: "the value")
        case .bool(let b): return checked(String(b), spec: spec, path: path, source: "the value")
        default:
            problem(path, "must be \(Self.expected(spec.type)), not \(value.typeName)")
            return nil
        }
    }

    /// Checks text against the setting's type; never echoes a secret.
    mutating func checked(_ text: String, spec: SettingSpec, path: String, source: String) -> String? {
        let shown = spec.type == .secret ? "" : " '\(text)'"
        switch spec.type {
        case .string, .secret: return text
        case .integer:
            if Int(text) != nil { return text }
        case .number:
            if Double(text) != nil { return text }
        case .boolean:
            switch text.lowercased() {
            case "true", "1", "yes", "oui": return "true"
            case "false", "0", "no", "non": return "false"
            default: break
            }
        }
        problem(path, "\(source)\(shown) must be \(Self.expected(spec.type))")
        return nil
    }

    static func expected(_ type: SettingSpec.ValueType) -> String {
        switch type {
        case .string, .secret: "a string"
        case .integer: "a whole number"
        case .number: "a number"
        case .boolean: "true or false"
        }
    }

    mutating func policy(_ fields: [String: JSONValue], at: String) -> DeliveryPolicy {
        var policy = DeliveryPolicy()
        if let retry = fields["retry"] {
            let keys = ["max_attempts", "initial_delay_ms", "max_delay_ms", "max_total_ms"]
            let numbers = numbers(retry, keys: keys, at: "\(at).retry")
            if let n = numbers["max_attempts"] {
                if n >= 1 && n <= 20 && n == n.rounded() { policy.maxAttempts = Int(n) }
                else { problem("\(at).retry.max_attempts", "must be a whole number from 1 to 20") }
            }
            if let n = numbers["initial_delay_ms"] { policy.initialDelay = n / 1000 }
            if let n = numbers["max_delay_ms"] { policy.maxDelay = n / 1000 }
            if let n = numbers["max_total_ms"] { policy.maxTotalDelay = n / 1000 }
        }
        if let rate = fields["rate"] {
            let numbers = numbers(rate, keys: ["per_second", "segments_per_second"], at: "\(at).rate")
            for key in ["per_second", "segments_per_second"] where numbers[key] == 0 {
                problem("\(at).rate.\(key)", "must be a positive number")
            }
            policy.ratePerSecond = numbers["per_second"].flatMap { $0 > 0 ? $0 : nil }
            policy.segmentsPerSecond = numbers["segments_per_second"].flatMap { $0 > 0 ? $0 : nil }
        }
        if let window = fields["window"] { policy.window = self.window(window, at: "\(at).window") }
        if let price = fields["price"] {
            let numbers = numbers(price, keys: ["per_message", "per_segment"], at: "\(at).price")
            policy.pricePerMessage = numbers["per_message"]
            policy.pricePerSegment = numbers["per_segment"]
        }
        return policy
    }

    /// `{"days": ["lundi", …], "from": "08:00", "to": "18:00", "timezone": "Africa/Libreville", "holidays": ["2026-12-25"]}`
    mutating func window(_ value: JSONValue, at: String) -> SendWindow? {
        let keys = ["days", "from", "to", "timezone", "holidays"]
        guard case .object(let fields) = value else {
            problem(at, "must be an object with \(keys.joined(separator: ", "))")
            return nil
        }
        var window = SendWindow()
        for key in fields.keys.sorted() where !isComment(key) && !keys.contains(key) {
            problem("\(at).\(key)", "unknown key; valid keys: \(keys.joined(separator: ", "))")
        }
        if let days = fields["days"] {
            let valid = "lundi … dimanche (or mon … sun)"
            if case .array(let items) = days, !items.isEmpty {
                var set = Set<Int>()
                for item in items {
                    if case .string(let name) = item, let n = SendWindow.dayNames[name.lowercased()] { set.insert(n) }
                    else { problem("\(at).days", "unknown day \(item); valid days: \(valid)") }
                }
                window.days = set
            } else {
                problem("\(at).days", "must be a non-empty list of days: \(valid)")
            }
        }
        for (key, isOpening) in [("from", true), ("to", false)] {
            guard let v = fields[key] else { continue }
            guard case .string(let text) = v, let minutes = Self.minutes(text) else {
                problem("\(at).\(key)", "must be a time of day as HH:MM, e.g. \"08:00\"")
                continue
            }
            if isOpening { window.opens = minutes } else { window.closes = minutes }
        }
        if window.opens >= window.closes { problem(at, "\"from\" must come before \"to\"") }
        if let tz = fields["timezone"] {
            if case .string(let name) = tz, let zone = TimeZone(identifier: name) { window.timeZone = zone }
            else { problem("\(at).timezone", "unknown time zone \(tz); e.g. \"Africa/Libreville\"") }
        }
        if let holidays = fields["holidays"] {
            if case .array(let items) = holidays {
                for item in items {
                    if case .string(let day) = item, CivilDate.parse(day) != nil || Self.isMonthDay(day) { window.holidays.insert(day) }
                    else { problem("\(at).holidays", "\(item) is not a date as YYYY-MM-DD (one year) or MM-DD (every year)") }
                }
            } else {
                problem("\(at).holidays", "must be a list of dates as YYYY-MM-DD (one year) or MM-DD (every year)")
            }
        }
        return window
    }

    /// `MM-DD`, a holiday every year (`02-29` included: it is shut in leap years).
    static func isMonthDay(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 }), let m = Int(parts[0]), let d = Int(parts[1]),
              (1...12).contains(m), d >= 1 else { return false }
        return d <= [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    }

    static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
              (0...24).contains(h), (0..<60).contains(m), h * 60 + m <= 24 * 60 else { return nil }
        return h * 60 + m
    }

    /// An object of non-negative numbers with known keys.
    mutating func numbers(_ value: JSONValue, keys: [String], at: String) -> [String: Double] {
        guard case .object(let fields) = value else {
            problem(at, "must be an object with \(keys.joined(separator: ", "))")
            return [:]
        }
        var out: [String: Double] = [:]
        for key in fields.keys.sorted() where !isComment(key) {
            guard keys.contains(key) else {
                problem("\(at).\(key)", "unknown key; valid keys: \(keys.joined(separator: ", "))")
                continue
            }
            guard case .number(let n) = fields[key]!, n >= 0, n.isFinite else {
                problem("\(at).\(key)", "must be a positive number")
                continue
            }
            out[key] = n
        }
        return out
    }

    // MARK: routes

    mutating func route(key: String, value: JSONValue, declared: Set<String>,
                        channels: [String: ChannelConfig]) -> (RelanceType, Route)? {
        let at = "routes.\(key)"
        let routable = RelanceType.sendable.map(\.rawValue).joined(separator: ", ")
        guard let type = RelanceType(rawValue: key) else {
            problem(at, "unknown relance type '\(key)'; valid types: \(routable)")
            return nil
        }
        guard let needed = type.address else {
            problem(at, "'\(key)' is done by hand and cannot be routed to a channel; routable types: \(routable)")
            return nil
        }
        guard case .object(let fields) = value else {
            problem(at, "must be an object like {\"channels\": [\"name\"], \"fallback\": [\"name\"]}")
            return nil
        }
        for k in fields.keys.sorted() where !isComment(k) && k != "channels" && k != "fallback" {
            problem("\(at).\(k)", "unknown key; valid keys: channels, fallback")
        }
        let primary = names(fields["channels"], at: "\(at).channels", required: true)
        let fallback = names(fields["fallback"], at: "\(at).fallback", required: false)
        var seen = Set<String>()
        let configured = declared.sorted().joined(separator: ", ")
        for (index, name) in (primary + fallback).enumerated() {
            let path = index < primary.count ? "\(at).channels[\(index)]" : "\(at).fallback[\(index - primary.count)]"
            if !seen.insert(name).inserted { problem(path, "channel '\(name)' appears twice in this route") }
            guard declared.contains(name) else {
                problem(path, "unknown channel '\(name)'; configured channels: \(configured.isEmpty ? "none" : configured)")
                continue
            }
            if let channel = channels[name], !channel.kind.accepts.canReach(needed) {
                problem(path, "channel '\(name)' (\(channel.kind.kind)) delivers to \(channel.kind.accepts.rawValue) addresses, but \(key) needs a \(needed.rawValue) address")
            }
        }
        return (type, Route(channels: primary, fallback: fallback))
    }

    mutating func names(_ value: JSONValue?, at: String, required: Bool) -> [String] {
        guard let value else {
            if required { problem(at, "missing; list the channels to try, e.g. [\"ventis\"]") }
            return []
        }
        guard case .array(let items) = value, items.allSatisfy({ if case .string = $0 { true } else { false } }) else {
            problem(at, "must be a list of channel names")
            return []
        }
        let names = items.compactMap { if case .string(let s) = $0 { s } else { nil } }
        if required && names.isEmpty { problem(at, "must name at least one channel") }
        return names
    }

    // MARK: templates

    /// `"sms": "text"` or `"sms": {"text": "…", "max_segments": 2, "grouper": true, "groupe": "…"}`.
    mutating func templates(_ value: JSONValue?) -> Templates {
        var found = Templates()
        guard let value else { return found }
        guard case .object(let fields) = value else {
            problem("templates", "must be an object of message templates by relance type")
            return found
        }
        let keys = ["text", "max_segments", "grouper", "groupe"]
        for key in fields.keys.sorted() where !isComment(key) {
            guard let type = RelanceType(rawValue: key) else {
                problem("templates.\(key)", "unknown relance type; valid types: \(RelanceType.allCases.map(\.rawValue).joined(separator: ", "))")
                continue
            }
            var text: String?
            switch fields[key]! {
            case .string(let t): text = t
            case .object(let template):
                for name in template.keys.sorted() where !isComment(name) && !keys.contains(name) {
                    problem("templates.\(key).\(name)", "unknown key; valid keys: \(keys.joined(separator: ", "))")
                }
                if case .string(let t)? = template["text"] { text = t } else { problem("templates.\(key).text", "must be the template's text (a string)") }
                if let budget = template["max_segments"] {
                    if case .number(let n) = budget, n >= 1, n <= 20, n == n.rounded() { found.budgets[type] = Int(n) }
                    else { problem("templates.\(key).max_segments", "must be a whole number of SMS segments from 1 to 20") }
                }
                switch template["grouper"] {
                case nil, .bool(true)?: break
                case .bool(false)?: found.ungrouped.insert(type)
                case let other?: problem("templates.\(key).grouper", "must be true (one message per taxpayer and run) or false (one per debt), not \(other.typeName)")
                }
                switch template["groupe"] {
                case nil: break
                case .string(let t)?:
                    if let bad = MessageTemplate.unknownPlaceholders(in: t).first {
                        problem("templates.\(key).groupe", "unknown placeholder {\(bad)}; valid placeholders: \(Self.placeholderList)")
                    } else {
                        found.grouped[type] = t
                    }
                case let other?: problem("templates.\(key).groupe", "must be the text of a grouped message (a string), not \(other.typeName)")
                }
            default:
                problem("templates.\(key)", "must be a string, or an object with \(keys.joined(separator: ", "))")
            }
            guard let text else { continue }
            if let bad = MessageTemplate.unknownPlaceholders(in: text).first {
                problem("templates.\(key)", "unknown placeholder {\(bad)}; valid placeholders: \(Self.placeholderList)")
                continue
            }
            found.texts[type] = text
        }
        return found
    }

    static var placeholderList: String { MessageTemplate.placeholders.map { "{\($0)}" }.joined(separator: ", ") }

    struct Templates {
        var texts: [RelanceType: String] = [:]
        var budgets: [RelanceType: Int] = [:]
        var grouped: [RelanceType: String] = [:]
        var ungrouped: Set<RelanceType> = []
    }
}
