/// One of `count` independent shards of a sweep, for a batch scheduler's job array. Work items are
/// dealt round-robin: item `k` belongs to shard `k % count`, so shards are balanced and together
/// cover every item exactly once.
public struct Shard: Hashable, Sendable {
    /// 0-based, below `count`.
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) throws(CatalogError) {
        guard count >= 1, index >= 0, index < count else {
            throw CatalogError(
                file: nil,
                keyPath: "--shard",
                message: "Shard \(index)/\(count) is out of range.",
                fix:
                    "Use i/n with n >= 1 and 0 <= i < n (0-based, as Slurm's --array=0-(n-1) and Kubernetes indexed jobs count)."
            )
        }
        self.index = index
        self.count = count
    }

    /// Parses `i/n`.
    public init(parsing text: String) throws(CatalogError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw CatalogError(
                file: nil,
                keyPath: "--shard",
                message: "'\(text)' is not of the form i/n.",
                fix: "Write e.g. --shard 0/8 for the first of eight shards."
            )
        }
        try self.init(index: i, count: n)
    }

    public func owns(_ item: Int) -> Bool { item % count == index }
}
