/// Windows-1252, the encoding Excel uses for « CSV » on a French Windows: Latin-1
/// with typographic characters (€, ’, œ, «…») at 0x80–0x9F. Five bytes there mean
/// nothing in it: text that has them is neither UTF-8 nor Windows-1252.
enum Windows1252 {
    static let high: [UInt8: Unicode.Scalar] = [
        0x80: "€", 0x82: "‚", 0x83: "ƒ", 0x84: "„", 0x85: "…", 0x86: "†", 0x87: "‡", 0x88: "ˆ", 0x89: "‰", 0x8A: "Š",
        0x8B: "‹", 0x8C: "Œ", 0x8E: "Ž", 0x91: "‘", 0x92: "’", 0x93: "“", 0x94: "”", 0x95: "•", 0x96: "–", 0x97: "—",
        0x98: "˜", 0x99: "™", 0x9A: "š", 0x9B: "›", 0x9C: "œ", 0x9E: "ž", 0x9F: "Ÿ",
    ]

    /// The text of `bytes` read as Windows-1252; nil when a byte is undefined in it.
    static func decode(_ bytes: [UInt8]) -> String? {
        var scalars = String.UnicodeScalarView()
        for b in bytes {
            if b < 0x80 || b >= 0xA0 { scalars.append(Unicode.Scalar(b)) }
            else if let s = high[b] { scalars.append(s) }
            else { return nil }
        }
        return String(scalars)
    }
}
