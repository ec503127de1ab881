# What the benchmark scripts share (sourced, not run).

# Installs a Debian package (as root, or through sudo) unless it is there.
ensure_package() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed" && return
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$1" > /dev/null
}

# gnuplot for the plots.
ensure_gnuplot() {
  command -v gnuplot > /dev/null || ensure_package gnuplot-nox
}
