import Foundation

/// When a channel may send: some days of the week, between two times of day, in the
/// office's time zone, except public holidays. Outside it, a message waits for the
/// next opening rather than failing (nobody wants a tax reminder at 23:00).
public struct SendWindow: Sendable, Hashable {
    /// Days the window opens, ISO numbering: 1 = Monday … 7 = Sunday.
    public var days: Set<Int>
    /// Opening and closing times, in minutes after midnight (closing excluded).
    public var opens: Int
    public var closes: Int
    public var timeZone: TimeZone
    /// Local dates on which the window stays shut: `YYYY-MM-DD` for one year's (a
    /// movable feast), `MM-DD` for every year's (1 January, 17 August…).
    public var holidays: Set<String>

    public static let defaultTimeZone = "Africa/Libreville"
    public static let dayNames = ["lundi": 1, "mardi": 2, "mercredi": 3, "jeudi": 4, "vendredi": 5, "samedi": 6, "dimanche": 7,
                                  "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7]

    public init(days: Set<Int> = [1, 2, 3, 4, 5], opens: Int = 8 * 60, closes: Int = 18 * 60,
                timeZone: TimeZone = TimeZone(identifier: SendWindow.defaultTimeZone)!, holidays: Set<String> = []) {
        self.days = days
        self.opens = opens
        self.closes = closes
        self.timeZone = timeZone
        self.holidays = holidays
    }

    public func isOpen(at date: Date) -> Bool {
        let local = localParts(date)
        return days.contains(local.weekday) && !holidays.contains(local.day) && !holidays.contains(String(local.day.dropFirst(5)))
            && local.minute >= opens && local.minute < closes
    }

    /// `date` itself when the window is open then, else the next moment it opens.
    public func nextOpening(from date: Date) -> Date {
        if isOpen(at: date) { return date }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        // Today's opening if it is still ahead, else the following days' (at most a year out).
        let startOfToday = calendar.startOfDay(for: date)
        for offset in 0...366 {
            guard let day = calendar.date(byAdding: .day, value: offset, to: startOfToday) else { break }
            let opening = day.addingTimeInterval(Double(opens * 60))
            if opening >= date && isOpen(at: opening) { return opening }
        }
        return date
    }

    private func localParts(_ date: Date) -> (weekday: Int, day: String, minute: Int) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
        let weekday = ((c.weekday ?? 1) + 5) % 7 + 1  // Foundation: 1 = Sunday
        let day = String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
        return (weekday, day, (c.hour ?? 0) * 60 + (c.minute ?? 0))
    }
}
