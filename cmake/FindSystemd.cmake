# libsystemd through pkg-config; defines Systemd::systemd (sd_notify).
include_guard(GLOBAL)
find_package(PkgConfig REQUIRED)
pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
if(NOT TARGET Systemd::systemd)
  add_library(Systemd::systemd INTERFACE IMPORTED)
  set_target_properties(Systemd::systemd PROPERTIES INTERFACE_LINK_LIBRARIES PkgConfig::SYSTEMD)
endif()
set(Systemd_FOUND TRUE)
