/** The files a drag or a paste carries (its DataTransfer), for the widget and the console. */

/** Whether a drag carries files (while dragging, only the types are known). */
export function carriesFiles(transfer: DataTransfer | null | undefined): boolean {
  return Boolean(transfer) && Array.from(transfer?.types ?? []).includes("Files");
}

/** The files of a drop or a paste (a pasted image is a file too; text is not). */
export function filesOf(transfer: DataTransfer | null | undefined): File[] {
  if (!transfer) return [];
  const files = Array.from(transfer.files ?? []);
  if (files.length) return files;
  const found: File[] = [];
  for (const item of Array.from(transfer.items ?? [])) {
    if (item.kind !== "file") continue;
    const file = item.getAsFile();
    if (file) found.push(file);
  }
  return found;
}
