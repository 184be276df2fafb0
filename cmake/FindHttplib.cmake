# Debian's libcpp-httplib-dev is a compiled library (OpenSSL and zlib on) found through pkg-config.
# Defines the imported target httplib::httplib.
include_guard(GLOBAL)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
find_package(OpenSSL REQUIRED)
if(NOT TARGET httplib::httplib)
  add_library(httplib::httplib INTERFACE IMPORTED)
  set_target_properties(httplib::httplib PROPERTIES
    INTERFACE_LINK_LIBRARIES "PkgConfig::HTTPLIB;OpenSSL::SSL;OpenSSL::Crypto")
endif()
set(Httplib_FOUND TRUE)
