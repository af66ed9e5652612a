/// Builds a `precompiled_charsmap` (the binary SentencePiece and tokenizers read) from a few
/// rules, so the reader is tested on maps whose every rule is known. A plain greedy placement of
/// a Darts-clone double array: each node's children go at `base ^ label`, its value (when a key
/// ends there) at `base`, the first base no other node has where all those slots are free. Bases
/// are unique (else a byte could reach another node's child) and the array is padded to whole
/// blocks of 256 units, as Darts-clone does, so every `base ^ byte` lies inside it.
enum CharsMapBuilder {
    private final class Node {
        var children: [UInt8: Node] = [:]
        var replacementOffset: Int?
    }

    static func build(_ rules: [(key: String, replacement: String)]) -> [UInt8] {
        var replacements: [UInt8] = []
        let root = Node()
        for rule in rules {
            var node = root
            for byte in rule.key.utf8 {
                if let child = node.children[byte] { node = child } else {
                    let child = Node()
                    node.children[byte] = child
                    node = child
                }
            }
            node.replacementOffset = replacements.count
            replacements += Array(rule.replacement.utf8) + [0]
        }

        var units: [UInt32] = [0]
        var used: Set<Int> = [0]
        var usedBases: Set<Int> = []
        var queue: [(position: Int, node: Node)] = [(0, root)]
        while !queue.isEmpty {
            let (position, node) = queue.removeFirst()
            let labels = node.children.keys.sorted()
            var slots = labels.map(Int.init)
            if node.replacementOffset != nil { slots.append(0) }
            var base = 1
            while usedBases.contains(base) || slots.contains(where: { used.contains(base ^ $0) }) { base += 1 }
            usedBases.insert(base)
            let blockEnd = (base | 0xFF) + 1
            if units.count < blockEnd { units += [UInt32](repeating: 0, count: blockEnd - units.count) }
            units[position] |= UInt32(position ^ base) << 10
            if let offset = node.replacementOffset {
                units[base] = UInt32(offset) | 1 << 31
                used.insert(base)
            }
            for label in labels {
                let child = node.children[label]!
                let childPosition = base ^ Int(label)
                units[childPosition] = UInt32(label) | (child.replacementOffset != nil ? 1 << 8 : 0)
                used.insert(childPosition)
                queue.append((childPosition, child))
            }
        }
        var bytes = littleEndian(UInt32(units.count * 4))
        for unit in units { bytes += littleEndian(unit) }
        return bytes + replacements
    }

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }
}
