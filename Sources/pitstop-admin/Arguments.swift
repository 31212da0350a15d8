/// Command-line words split into positional arguments and `--name value` / `--flag` options.
/// Deliberately small: the admin tool has a handful of commands.
struct Arguments {
    var positional: [String] = []
    var options: [String: String] = [:]
    var flags: Set<String> = []

    /// `valued` names the options that take a value; any other `--word` is a flag.
    init(_ words: [String], valued: Set<String>) throws {
        var index = 0
        while index < words.count {
            let word = words[index]
            if word.hasPrefix("--") {
                var name = String(word.dropFirst(2))
                var value: String?
                if let equals = name.firstIndex(of: "=") {
                    value = String(name[name.index(after: equals)...])
                    name = String(name[..<equals])
                }
                if valued.contains(name) {
                    if value == nil {
                        index += 1
                        guard index < words.count else { throw UsageError("--\(name) needs a value") }
                        value = words[index]
                    }
                    options[name] = value
                } else {
                    guard value == nil else { throw UsageError("--\(name) takes no value") }
                    flags.insert(name)
                }
            } else {
                positional.append(word)
            }
            index += 1
        }
    }

    /// Fails on options the command does not know, so typos are not silently ignored.
    func allow(options allowedOptions: Set<String> = [], flags allowedFlags: Set<String> = []) throws {
        let unknown = Set(options.keys).subtracting(allowedOptions).union(flags.subtracting(allowedFlags))
        if let first = unknown.sorted().first { throw UsageError("unknown option --\(first)") }
    }
}

struct UsageError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
