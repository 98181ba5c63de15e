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
}
