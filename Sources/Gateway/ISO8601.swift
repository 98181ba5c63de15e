import Foundation

/// ISO-8601 date-times in UTC to the second (`2026-11-24T08:00:00Z`), as the API, the
/// store and the logs write them. Hand-written because the store formats hundreds of
/// thousands of them in a campaign and Foundation's formatters are slow at that.
public enum ISO8601 {
    public static func string(from date: Date) -> String {
        var seconds = Int(date.timeIntervalSince1970.rounded(.down))
        let day = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        seconds -= day * 86_400
        let (y, m, d) = CivilDate.fromDays(day)
        var out = [UInt8]()
        out.reserveCapacity(20)
        append(&out, y, width: 4); out.append(UInt8(ascii: "-"))
        append(&out, m, width: 2); out.append(UInt8(ascii: "-"))
        append(&out, d, width: 2); out.append(UInt8(ascii: "T"))
        append(&out, seconds / 3600, width: 2); out.append(UInt8(ascii: ":"))
        append(&out, seconds / 60 % 60, width: 2); out.append(UInt8(ascii: ":"))
        append(&out, seconds % 60, width: 2); out.append(UInt8(ascii: "Z"))
        return String(decoding: out, as: UTF8.self)
    }

    /// Reads `YYYY-MM-DDTHH:MM:SS` with an optional fraction and `Z` or `±HH:MM`;
    /// a bare `YYYY-MM-DD` is midnight UTC.
    public static func date(from text: String) -> Date? {
        let b = Array(text.utf8)
        guard let (y, m, d) = CivilDate.parseDay(b), (1...12).contains(m), (1...31).contains(d) else { return nil }
        let days = CivilDate.days(year: y, month: m, day: d)
        // A day that does not exist (2026-02-30) is refused, not moved into the next month.
        guard d <= 28 || CivilDate.fromDays(days) == (y, m, d) else { return nil }
        var secs = days * 86_400
        if b.count == 10 { return Date(timeIntervalSince1970: Double(secs)) }
        guard b.count >= 19, b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "),
              let hh = number(b, 11, 2), let mi = number(b, 14, 2), let ss = number(b, 17, 2),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":"), hh < 24, mi < 60, ss < 61 else { return nil }
        secs += hh * 3600 + mi * 60 + ss
        var i = 19
        var fraction = 0.0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < b.count, (48...57).contains(b[i]) { fraction += Double(b[i] - 48) * scale; scale /= 10; i += 1 }
        }
        if i == b.count || (i == b.count - 1 && b[i] == UInt8(ascii: "Z")) {
            return Date(timeIntervalSince1970: Double(secs) + fraction)
        }
        guard b.count - i == 6, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"),
              let oh = number(b, i + 1, 2), b[i + 3] == UInt8(ascii: ":"), let om = number(b, i + 4, 2), oh < 24, om < 60 else { return nil }
        let offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
        return Date(timeIntervalSince1970: Double(secs - offset) + fraction)
    }

    static func number(_ b: [UInt8], _ at: Int, _ width: Int) -> Int? {
        guard at + width <= b.count else { return nil }
        var n = 0
        for k in at..<(at + width) {
            guard (48...57).contains(b[k]) else { return nil }
            n = n * 10 + Int(b[k] - 48)
        }
        return n
    }

    static func append(_ out: inout [UInt8], _ value: Int, width: Int) {
        var digits = [UInt8](repeating: 48, count: width)
        var v = value
        for k in stride(from: width - 1, through: 0, by: -1) { digits[k] = UInt8(48 + v % 10); v /= 10 }
        out.append(contentsOf: digits)
    }
}

/// Calendar days without a calendar: the proleptic Gregorian arithmetic of
/// Howard Hinnant's `days_from_civil`, exact for every date the office will see.
public enum CivilDate {
    /// Days since 1970-01-01.
    public static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func fromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Parses `YYYY-MM-DD` at the start of `b` (nil when it is not one).
    public static func parseDay(_ b: [UInt8]) -> (Int, Int, Int)? {
        guard b.count >= 10, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              let y = ISO8601.number(b, 0, 4), let m = ISO8601.number(b, 5, 2), let d = ISO8601.number(b, 8, 2)
        else { return nil }
        return (y, m, d)
    }

    /// Validates and parses a strict `YYYY-MM-DD` (the day must exist).
    public static func parse(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let b = Array(text.utf8)
        guard b.count == 10, let (y, m, d) = parseDay(b), (1...12).contains(m), d >= 1 else { return nil }
        let back = fromDays(days(year: y, month: m, day: d))
        return back == (y, m, d) ? (y, m, d) : nil
    }
}
