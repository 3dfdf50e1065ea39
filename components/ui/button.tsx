import type { ButtonHTMLAttributes } from "react";

type TVariant = "primary" | "secondary" | "danger" | "ghost";

const variants: Record<TVariant, string> = {
  primary: "bg-sky-700 text-white hover:bg-sky-800",
  secondary:
    "border border-slate-300 bg-white text-slate-800 hover:bg-slate-100 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:hover:bg-slate-700",
  danger: "bg-red-700 text-white hover:bg-red-800 dark:bg-red-600 dark:hover:bg-red-500",
  ghost: "text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800",
};

export const buttonClass = (variant: TVariant = "secondary", size: "sm" | "md" = "md") =>
  `inline-flex items-center justify-center gap-1.5 rounded-md font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-50 ${
    size === "sm" ? "px-2.5 py-1 text-sm" : "px-3.5 py-2 text-sm"
  } ${variants[variant]}`;

type TButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: TVariant;
  size?: "sm" | "md";
  /** Shows a spinner, disables the button and tells assistive technology that work is under way. */
  isPending?: boolean;
};

export function Button({
  variant,
  size,
  isPending = false,
  className = "",
  children,
  disabled,
  ...props
}: TButtonProps) {
  return (
    <button
      type="button"
      {...props}
      disabled={disabled || isPending}
      aria-busy={isPending || undefined}
      className={`${buttonClass(variant, size)} ${className}`}
    >
      {isPending && <Spinner />}
      {children}
    </button>
  );
}

export function Spinner() {
  return (
    <span
      aria-hidden="true"
      className="inline-block h-3.5 w-3.5 animate-spin rounded-full border-2 border-current border-r-transparent"
    />
  );
}
