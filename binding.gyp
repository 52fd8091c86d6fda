{
  "targets": [
    {
      "target_name": "neurion",
      "sources": [
        "native/addon.cpp",
        "native/ops/sma.cpp",
        "native/ops/philox.cpp",
        "native/ops/ta.cpp",
        "native/ta/table.cpp",
        "native/ops/features.cpp",
        "native/ta/features.cpp",
        "native/ops/mc.cpp",
        "native/mc/mc_cpu.cpp",
        "native/ops/nn.cpp",
        "native/nn/nn_cpu.cpp",
        "native/ops/nn_train.cpp",
        "native/nn/train_cpu.cpp",
        "native/ops/sweep.cpp"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=c++20", "-O2", "-O0"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-ffp-contract=off", "-Wall", "-Wextra"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-ffp-contract=off"]
      }
    }
  ]
}
