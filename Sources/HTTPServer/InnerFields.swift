/// A body whose inner objects, like its top level, take only the members they know: a typo in
/// `fits[0].modle` or `customer.phone` must be refused, not silently dropped. Each rule is a path
/// to objects (`customer`, `fits[]` for every item of an array, `weekly.*[]` for every item of
/// every member of `weekly`) and the members those objects may have.
public protocol ClosedInnerObjects {
    static var innerFields: [String: Set<String>] { get }
}

enum InnerFields {
    /// Paths (`fits[2].modle`) of members the rules do not allow, sorted.
    static func unknown(in body: [String: Any], rules: [String: Set<String>]) -> [String] {
        rules.flatMap { path, allowed in
            objects(at: path.split(separator: ".").map(String.init), in: body, named: "").flatMap { name, object in
                object.keys.filter { !allowed.contains($0) }.map { "\(name).\($0)" }
            }
        }.sorted()
    }

    /// The objects a path leads to, with the names a client would give them (`fits[2]`).
    private static func objects(at segments: [String], in value: Any, named name: String) -> [(String, [String: Any])] {
        guard let segment = segments.first else {
            return (value as? [String: Any]).map { [(name, $0)] } ?? []
        }
        guard let object = value as? [String: Any] else { return [] }
        let isArray = segment.hasSuffix("[]")
        let key = isArray ? String(segment.dropLast(2)) : segment
        let members = key == "*" ? object.keys.sorted().compactMap { member in object[member].map { (member, $0) } }
            : object[key].map { [(key, $0)] } ?? []
        return members.flatMap { member, child -> [(String, [String: Any])] in
            let childName = name.isEmpty ? member : "\(name).\(member)"
            let rest = Array(segments.dropFirst())
            guard isArray else { return objects(at: rest, in: child, named: childName) }
            guard let items = child as? [Any] else { return [] }
            return items.enumerated().flatMap { objects(at: rest, in: $0.element, named: "\(childName)[\($0.offset)]") }
        }
    }
}
