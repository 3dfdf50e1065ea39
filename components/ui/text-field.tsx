import { useId, type InputHTMLAttributes } from "react";

type TTextFieldProps = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  error?: string | null;
  help?: string;
};

/** A labelled input whose error is tied to it (aria-invalid, aria-describedby). */
export function TextField({ label, error, help, className = "", ...props }: TTextFieldProps) {
  const id = useId();
  const noteId = `${id}-note`;
  return (
    <div className={`space-y-1 ${className}`}>
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <input
        id={id}
        {...props}
        aria-invalid={Boolean(error)}
        aria-describedby={error || help ? noteId : undefined}
        className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm aria-[invalid=true]:border-red-600 dark:border-slate-600 dark:bg-slate-800"
      />
      {error ? (
        <p id={noteId} className="text-sm text-red-700 dark:text-red-300">
          {error}
        </p>
      ) : (
        help && (
          <p id={noteId} className="text-sm text-slate-500 dark:text-slate-400">
            {help}
          </p>
        )
      )}
    </div>
  );
}

/** The message of a form field's error from a tRPC BAD_REQUEST, when it names that field. */
export const fieldError = (error: unknown, field: string): string | null => {
  const data = (error as { data?: { field?: string | null } } | null)?.data;
  const message = (error as { message?: string } | null)?.message;
  return data?.field === field && message ? message.replace(new RegExp(`^${field}: `), "") : null;
};
