# Install layout of a Debian 12 system and the .deb built from it: `cpack -G DEB` in the build dir
# writes bulkd_<version>_<arch>.deb. With Ninja, cpack builds nothing: build `bulkd` first.
#
#   /usr/bin/bulkd
#   /lib/systemd/system/{bulkd.service,bulkd-run@.service,bulkd-run@.timer}
#   /usr/lib/sysusers.d/bulkd.conf, /usr/lib/tmpfiles.d/bulkd.conf
#   /etc/bulkd/bulkd.yaml (conffile), /etc/bulkd/jobs.d/ (empty: jobs are the admin's)
#   /usr/share/bulkd/examples/ (config/ of the source: bulkd.yaml, jobs.d/, dev/ for `bulkd demo`)
#   /usr/share/doc/bulkd/README.md
#
# The paths are absolute on purpose: systemd reads units, sysusers.d and tmpfiles.d only there,
# whatever CMAKE_INSTALL_PREFIX is.

set(BULKD_SYSTEMD_UNIT_DIR "/lib/systemd/system" CACHE PATH "Where the systemd units are installed")
set(BULKD_SYSUSERS_DIR "/usr/lib/sysusers.d" CACHE PATH "Where sysusers.d/bulkd.conf is installed")
set(BULKD_TMPFILES_DIR "/usr/lib/tmpfiles.d" CACHE PATH "Where tmpfiles.d/bulkd.conf is installed")
set(BULKD_CONFIG_DIR "/etc/bulkd" CACHE PATH "Where bulkd.yaml is installed")

set(_bulkd_read_only OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
# /etc/bulkd and jobs.d: 0750 from the start; postinst (systemd-tmpfiles) gives them group bulkd.
set(_bulkd_config_dirs OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE)

install(FILES "${PROJECT_SOURCE_DIR}/systemd/bulkd.service"
              "${PROJECT_SOURCE_DIR}/systemd/bulkd-run@.service"
              "${PROJECT_SOURCE_DIR}/systemd/bulkd-run@.timer"
        DESTINATION "${BULKD_SYSTEMD_UNIT_DIR}" PERMISSIONS ${_bulkd_read_only})
install(FILES "${PROJECT_SOURCE_DIR}/systemd/sysusers.d/bulkd.conf"
        DESTINATION "${BULKD_SYSUSERS_DIR}" PERMISSIONS ${_bulkd_read_only})
install(FILES "${PROJECT_SOURCE_DIR}/systemd/tmpfiles.d/bulkd.conf"
        DESTINATION "${BULKD_TMPFILES_DIR}" PERMISSIONS ${_bulkd_read_only})

install(DIRECTORY DESTINATION "${BULKD_CONFIG_DIR}" DIRECTORY_PERMISSIONS ${_bulkd_config_dirs})
install(DIRECTORY DESTINATION "${BULKD_CONFIG_DIR}/jobs.d"
        DIRECTORY_PERMISSIONS ${_bulkd_config_dirs})
install(FILES "${PROJECT_SOURCE_DIR}/config/bulkd.yaml"
        DESTINATION "${BULKD_CONFIG_DIR}" PERMISSIONS ${_bulkd_read_only})

# The examples are not put into /etc/bulkd/jobs.d: they name accounts and vaults that do not exist,
# and `bulkd serve` would start them.
# Only the YAML files: config/dev/state/ holds what a local `--dev` run left behind.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/config/"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/bulkd/examples"
        FILE_PERMISSIONS ${_bulkd_read_only}
        FILES_MATCHING PATTERN "*.yaml" PATTERN "state" EXCLUDE)
install(FILES "${PROJECT_SOURCE_DIR}/README.md"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}" PERMISSIONS ${_bulkd_read_only})

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "bulkd")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "bulkd")
set(CPACK_PACKAGE_CONTACT "bulkd maintainers <maintainers@users.noreply.r-seed-d4ef608f.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "bulk job daemon for Azure Cosmos DB and Azure Key Vault")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "bulkd runs bulk jobs described in YAML files: bulk loads of JSON lines, CSV or JSON array\n"
  "files into Cosmos DB containers, change-feed consumers that deliver every change to a sink\n"
  "at least once, and encrypted backups of Key Vault keys. It runs as a systemd service\n"
  "(bulkd.service, Type=notify with a watchdog) or one-shot from a timer (bulkd-run@.timer),\n"
  "and ships a local Cosmos DB and Key Vault emulator for development.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Shared libraries (CAF, yaml-cpp, OpenSSL, SQLite, libsystemd, cpp-httplib, ...) via
# dpkg-shlibdeps; postinst needs systemd-sysusers and systemd-tmpfiles.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "systemd | systemd-standalone-sysusers, systemd | systemd-standalone-tmpfiles")

# dpkg does not treat files below /etc as conffiles by itself when the package is not built by
# debhelper; the list goes into the control archive.
set(_bulkd_conffiles "${PROJECT_BINARY_DIR}/packaging/conffiles")
file(WRITE "${_bulkd_conffiles}" "${BULKD_CONFIG_DIR}/bulkd.yaml\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${_bulkd_conffiles}" "${PROJECT_SOURCE_DIR}/packaging/debian/postinst"
    "${PROJECT_SOURCE_DIR}/packaging/debian/prerm" "${PROJECT_SOURCE_DIR}/packaging/debian/postrm")
# Scripts 0755, conffiles 0644 whatever the umask of the build.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
