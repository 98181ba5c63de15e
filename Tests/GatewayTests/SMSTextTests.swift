import Gateway
import Testing

@Suite struct SMSTextTests {
    @Test func gsm7SingleAndConcatenatedLimits() {
        #expect(SMSText.analyze(String(repeating: "a", count: 160)) == .init(encoding: .gsm7, units: 160, segments: 1, nonGSMCharacters: []))
        #expect(SMSText.analyze(String(repeating: "a", count: 161)).segments == 2)
        #expect(SMSText.analyze(String(repeating: "a", count: 306)).segments == 2)
        #expect(SMSText.analyze(String(repeating: "a", count: 307)).segments == 3)
        #expect(SMSText.analyze("").segments == 1)
    }

    @Test func extensionCharactersCountTwo() {
        let text = String(repeating: "a", count: 159) + "€"
        #expect(SMSText.analyze(text).units == 161)
        #expect(SMSText.analyze(text).segments == 2)
        #expect(SMSText.analyze(String(repeating: "a", count: 158) + "€").segments == 1)
        #expect(SMSText.analyze("[x]{y}^~|\\").units == 18)
        // An escape pair is never split across parts: 152 + '€' does not fit 153.
        #expect(SMSText.analyze(String(repeating: "a", count: 152) + "€" + String(repeating: "b", count: 152)).segments == 3)
    }

    @Test func ucs2SingleAndConcatenatedLimits() {
        #expect(SMSText.analyze(String(repeating: "ê", count: 70)) == .init(encoding: .ucs2, units: 70, segments: 1, nonGSMCharacters: ["ê"]))
        #expect(SMSText.analyze(String(repeating: "ê", count: 71)).segments == 2)
        #expect(SMSText.analyze(String(repeating: "ê", count: 134)).segments == 2)
        #expect(SMSText.analyze(String(repeating: "ê", count: 135)).segments == 3)
        #expect(SMSText.analyze("😀").units == 2)
    }

    @Test func theOfficesTextIsGSM7() {
        let text = "Rappel : Vous avez une taxe de 5000.00 FCFA à payer. Échéance : 24/12/2026"
        let analysis = SMSText.analyze(text)
        // "É" is GSM-7, "é" too, "à" too: one 76-character segment.
        #expect(analysis.encoding == .gsm7 && analysis.segments == 1 && analysis.units == text.count)
    }

    @Test func transliterationKeepsGSMAccentsAndReplacesTheRest() {
        let text = "L’échéance « 30 jours » : payez à la Mairie… Cœur, château, garçon – ÀÊ"
        let clean = SMSText.transliterate(text)
        #expect(clean == "L'échéance \" 30 jours \" : payez à la Mairie... Coeur, chateau, garcon - AE")
        #expect(SMSText.analyze(text).encoding == .ucs2)
        #expect(SMSText.analyze(clean).encoding == .gsm7)
        #expect(SMSText.transliterate("Prix 5€ 😀") == "Prix 5€ 😀")
    }

    @Test func lineBreaksAreGSM7WhateverTheirStyle() {
        // Swift sees "\r\n" as one character; GSM-7 sends two septets.
        let windows = SMSText.analyze("Bonjour,\r\nMairie")
        #expect(windows.encoding == .gsm7 && windows.units == 16)
        #expect(SMSText.analyze("a\nb\rc").units == 5)
        #expect(SMSText.analyze(String(repeating: "ab\r\n", count: 40)).segments == 1)   // 160 septets
        #expect(SMSText.analyze(String(repeating: "ab\r\n", count: 40) + "x").segments == 2)
    }

    @Test func everyGSM7CharacterIsKnownAndTheRestIsNot() {
        let basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
        #expect(basic.unicodeScalars.count == 127)   // the 128 of GSM 03.38 less the escape
        #expect(SMSText.analyze(basic) == .init(encoding: .gsm7, units: 127, segments: 1, nonGSMCharacters: []))
        #expect(SMSText.analyze("ç").encoding == .ucs2)          // only the capital is GSM-7
        #expect(SMSText.analyze("Ç").encoding == .gsm7)
        #expect(SMSText.analyze("e\u{0301}").encoding == .gsm7)   // e + combining acute: still é
        #expect(SMSText.analyze("âêîôû").nonGSMCharacters == ["â", "ê", "î", "ô", "û"])
        #expect(SMSText.analyze("\t").encoding == .ucs2)
    }

    @Test func transliterationDropsInvisibleCharactersAndSpacesNonBreakingOnes() {
        #expect(SMSText.transliterate("5\u{202F}000\u{00A0}FCFA") == "5 000 FCFA")
        #expect(SMSText.transliterate("relan\u{00AD}ce\u{200B}") == "relance")
        #expect(SMSText.transliterate("Œuvre, Noël, maïs, ÎLE, Hôtel, sûr, ça") == "OEuvre, Noel, mais, ILE, Hotel, sur, ca")
        #expect(SMSText.transliterate("Bonjour,\r\nMairie") == "Bonjour,\r\nMairie")
        // Keeps what GSM-7 has, even uncommon: ñ ü ß Ø and the extension table.
        #expect(SMSText.transliterate("Ñüß Ø {x} [y] ~ | ^ \\ €") == "Ñüß Ø {x} [y] ~ | ^ \\ €")
    }
}
