/// One run: the selected checks on every host, hosts concurrently, events to the reporters in order.
struct SpecRun {
  let checks: [Check]
  let transports: [any Transport]
  let options: RunOptions
  /// Hosts checked at once.
  let jobs: Int

  func execute(reporters: inout [any Reporter]) async -> Summary {
    let clock = ContinuousClock()
    let started = clock.now
    let (events, sink) = AsyncStream.makeStream(of: Event.self)
    sink.yield(.runStarted(hosts: transports.map(\.hostName), checksPerHost: checks.count))
    let checks = self.checks
    let options = self.options
    let transports = self.transports
    let jobs = self.jobs
    let hosts = Task {
      await withTaskGroup(of: Summary.self) { group in
        var pending = transports[...]
        func startNext() {
          guard let transport = pending.popFirst() else { return }
          group.addTask {
            let summary = await HostRunner(transport: transport, checks: checks, options: options)
              .run { sink.yield($0) }
            await transport.close()
            return summary
          }
        }
        for _ in 0..<max(1, jobs) { startNext() }
        var total = Summary()
        for await summary in group {
          total.add(summary)
          startNext()
        }
        return total
      }
    }
    Task {
      let total = await hosts.value
      sink.yield(.runFinished(summary: total, durationMilliseconds: Double((clock.now - started).milliseconds)))
      sink.finish()
    }
    var total = Summary()
    for await event in events {
      if case .runFinished(let summary, _) = event { total = summary }
      for index in reporters.indices { reporters[index].report(event) }
    }
    return total
  }
}
