{
  "targets": [
    {
      "target_name": "namedprocess_scanner",
      "sources": [
        "native/addon.cc",
        "native/fsutil.cc",
        "native/listing.cc",
        "native/parse.cc",
        "native/details.cc",
        "native/threads.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags!": ["-O3"],
      "cflags_cc!": ["-std=gnu++17", "-std=gnu++1y", "-std=gnu++20", "-O3"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-fno-exceptions"],
      "libraries": ["-lpthread"]
    }
  ]
}
