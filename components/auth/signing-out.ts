/**
 * Set while the user signs out: queries still in flight then answer 401, and the client's "your session ended, sign
 * in again (and come back here)" redirect must not race the sign-out's own navigation to /login.
 */
let isActive = false;

export const startSigningOut = () => {
  isActive = true;
};

export const isSigningOut = () => isActive;
