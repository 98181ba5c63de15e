/// An amount as the office and the taxpayer write it: `45 000`, `45 000,50`. The
/// thousands are split by a plain space, the only one GSM-7 carries (a no-break space
/// would make the SMS UCS-2 and halve its length); no decimals when whole. The API
/// keeps `"45000.00"` (``description``): that is the office's contract, not a text.
extension Montant {
    public var texte: String {
        let a = abs(centimes)
        let whole = String(a / 100)
        var grouped = ""
        for (i, ch) in whole.enumerated() {
            if i > 0 && (whole.count - i) % 3 == 0 { grouped += " " }
            grouped.append(ch)
        }
        let cents = a % 100
        let fraction = cents == 0 ? "" : "," + (cents < 10 ? "0" : "") + String(cents)
        return (centimes < 0 ? "-" : "") + grouped + fraction
    }

    /// ``texte`` in SQL, for an amount in centimes held by `column` (the generator
    /// renders its messages in SQL; a test holds the two equal).
    static func texteSQL(_ column: String) -> String {
        "(replace(printf('%,d', (\(column)) / 100), ',', ' ') || CASE WHEN (\(column)) % 100 = 0 THEN '' ELSE printf(',%02d', (\(column)) % 100) END)"
    }
}
