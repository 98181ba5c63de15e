import Foundation
import Gateway
import HTTP
#if canImport(Glibc)
import Glibc
#endif

/// `GET /api/courriers/{file}`: a PDF of letters, from the folder of a channel that
/// writes documents (``Channel/documentsFolder``) and from nowhere else. The name is
/// one plain file name (no `/`, no `..`, no leading dot: no temporary or journal file),
/// and the file must be a regular file itself, not a link that could point outside.
enum CourrierDownload {
    static func response(file: String, folders: [URL]) -> HTTPResponse {
        let allowed = file.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0)) }
        guard allowed, !file.hasPrefix("."), !file.contains(".."), file.hasSuffix(".pdf"), file.count <= 200 else {
            return .error(status: 400, detail: "Nom de courrier invalide : « \(file) » (attendu : courriers-….pdf)")
        }
        for folder in folders {
            let path = folder.appendingPathComponent(file).path
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG, let data = FileManager.default.contents(atPath: path) else { continue }
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/pdf",
                                                       "Content-Disposition": "attachment; filename=\"\(file)\""], body: data)
        }
        return .error(status: 404, detail: "Courrier introuvable : \(file)")
    }
}
