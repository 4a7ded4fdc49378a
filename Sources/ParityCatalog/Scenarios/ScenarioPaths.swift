import Foundation

/// Expands command-line paths into scenario files: files as given, folders into their `.yaml`
/// files (recursively, sorted).
public enum ScenarioPaths {
    public static func expand(_ paths: [String]) throws(CatalogError) -> [String] {
        var files: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CatalogError(file: path, keyPath: "", message: "No such file or folder.", fix: "Check the path.")
            }
            if isDirectory.boolValue {
                let found = (fm.enumerator(atPath: path)?.compactMap { $0 as? String } ?? [])
                    .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                files.append(contentsOf: found.map { path + "/" + $0 })
            } else {
                files.append(path)
            }
        }
        return files
    }
}
