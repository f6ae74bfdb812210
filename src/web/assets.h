// The page of `auditlens web`: the files of src/web/assets/ (hand-written HTML, CSS and JS; no
// framework, nothing fetched from elsewhere), built into the binary at build time (assets.cmake
// writes their bytes into a generated assets_data.cc).
//
// Contract: FindAsset answers for the asset paths only ("/", "/app.js", ...); the page is one HTML
// document whose views are chosen by its URL's fragment, so every page URL is "/".
#pragma once

#include <cstddef>
#include <string_view>

namespace auditlens {

struct WebAsset {
  std::string_view path;          // "/index.html"
  std::string_view content_type;  // "text/html; charset=utf-8"
  std::string_view bytes;
};

// The asset at a URL path ("/" is /index.html); null when there is none.
const WebAsset* FindAsset(std::string_view path);

// Generated (assets_data.cc): every file of assets/, sorted by path.
extern const WebAsset kWebAssets[];
extern const size_t kWebAssetCount;

}  // namespace auditlens
