import Foundation
import Gateway
import ProviderSandbox
import Testing

@Suite struct SendWindowTests {
    /// 2026-12-24 is a Thursday; Libreville is UTC+1 all year.
    func at(_ text: String) -> Date { ISO8601.date(from: text)! }

    @Test func openOnWorkingHoursInTheOfficesTimeZone() {
        let window = SendWindow()
        #expect(window.isOpen(at: at("2026-12-24T07:00:00Z")))      // 08:00 in Libreville
        #expect(!window.isOpen(at: at("2026-12-24T06:59:00Z")))     // 07:59
        #expect(!window.isOpen(at: at("2026-12-24T17:00:00Z")))     // 18:00, closing excluded
        #expect(!window.isOpen(at: at("2026-12-26T10:00:00Z")))     // Saturday
    }

    @Test func aRelanceAtNinePmGoesAtEightNextWorkingDaySkippingAHoliday() {
        let window = SendWindow(holidays: ["2026-12-25"])
        // Thursday 24 December, 21:00 in Libreville → Friday is Christmas → Monday 28, 08:00.
        #expect(window.nextOpening(from: at("2026-12-24T20:00:00Z")) == at("2026-12-28T07:00:00Z"))
        // Early on a working day → that day's opening.
        #expect(window.nextOpening(from: at("2026-12-23T05:30:00Z")) == at("2026-12-23T07:00:00Z"))
        // Already open → now.
        #expect(window.nextOpening(from: at("2026-12-23T09:15:00Z")) == at("2026-12-23T09:15:00Z"))
    }

    @Test func theDispatcherDefersInsteadOfFailingOutsideTheWindow() async {
        let clock = ManualClock(at("2026-12-24T20:00:00Z"))
        let channel = RecordingChannel("ventis", script: [])
        let dispatcher = Dispatcher(routes: [.sms: Route(channels: ["ventis"])], channels: ["ventis": channel],
                                    policies: ["ventis": DeliveryPolicy(window: SendWindow(holidays: ["2026-12-25"]))],
                                    clock: clock, logger: Logger(sink: MemoryLogSink()))
        let delivery = Delivery(id: "relance-7", type: .sms, recipient: "0661234567", body: "Rappel")
        guard case .deferred(let until) = await dispatcher.send(delivery) else { Issue.record("not deferred"); return }
        #expect(until == at("2026-12-28T07:00:00Z"))
        #expect(channel.deliveries.isEmpty)
        clock.advance(by: until.timeIntervalSince(clock.now()))
        guard case .delivered = await dispatcher.send(delivery) else { Issue.record("not delivered once open"); return }
    }

    @Test func windowsAreReadAndCheckedFromTheConfig() throws {
        let loader = RoutingConfigLoader(table: TestKinds.table, environment: Environment())
        let config = try loader.parse(Data("""
            {"channels": {"o": {"kind": "test-sink", "path": "x",
               "window": {"days": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"], "from": "07:30", "to": "12:00",
                          "holidays": ["2026-08-17"]}}},
             "routes": {"courrier": {"channels": ["o"]}}}
            """.utf8), file: "w.json")
        let window = try #require(config.channels["o"]?.policy.window)
        #expect(window.days == [1, 2, 3, 4, 5, 6] && window.opens == 450 && window.closes == 720 && window.holidays == ["2026-08-17"])
        do {
            _ = try loader.parse(Data("""
                {"channels": {"o": {"kind": "test-sink", "path": "x",
                   "window": {"days": ["someday"], "from": "8h", "to": "07:00", "timezone": "Mars/Olympus", "holidays": ["25/12"]}}},
                 "routes": {"courrier": {"channels": ["o"]}}}
                """.utf8), file: "w.json")
            Issue.record("accepted a bad window")
        } catch {
            #expect(error.problems.map(\.path) == ["channels.o.window.days", "channels.o.window.from", "channels.o.window", "channels.o.window.timezone", "channels.o.window.holidays"])
        }
    }
}
