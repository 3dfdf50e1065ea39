/**
 * Debian's archive keyring: the helper pins it for LXC's debian template (KEYRING, never downloaded), and the web
 * tier's debian provider refuses to start a creation while it is missing. Pure: both sides import it.
 */
export const DEBIAN_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";
