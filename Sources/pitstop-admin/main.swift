// pitstop-admin: migrations, tenants and keys, run with the owner role.
import Foundation
import PitstopCore
import PitstopStore

do {
    let arguments = try Arguments(Array(CommandLine.arguments.dropFirst()), valued: AdminCommands.valued)
    try AdminCommands(arguments: arguments, environment: ProcessInfo.processInfo.environment).run()
} catch let error as UsageError {
    FileHandle.standardError.write(Data("pitstop-admin: \(error)\n\n\(AdminCommands.usage)\n".utf8))
    exit(64)
} catch let error as ValidationError {
    FileHandle.standardError.write(Data("pitstop-admin: \(error.errors.map { "\($0.field) \($0.message)" }.joined(separator: "; "))\n".utf8))
    exit(1)
} catch let error as StoreError {
    FileHandle.standardError.write(Data("pitstop-admin: \(error)\n".utf8))
    exit(1)
} catch {
    FileHandle.standardError.write(Data("pitstop-admin: \(String(reflecting: error))\n".utf8))
    exit(1)
}
