internal import Dispatch

#if canImport(Glibc)
  internal import Glibc
#endif

/// Turns SIGINT and SIGTERM into a call, once, instead of the default instant death that would
/// lose every result already gathered.
final class Interruption {
  private let sources: [any DispatchSourceSignal]

  private init(sources: [any DispatchSourceSignal]) { self.sources = sources }

  static func install(_ handler: @escaping @Sendable () -> Void) -> Interruption {
    let sources = [SIGINT, SIGTERM].map { number in
      signal(number, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
      source.setEventHandler(handler: handler)
      source.resume()
      return source
    }
    return Interruption(sources: sources)
  }

  func cancel() {
    for source in sources { source.cancel() }
  }
}
