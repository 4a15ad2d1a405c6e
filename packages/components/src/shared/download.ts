/**
 * Saves a file fetched with the official's token (ApiClient.file) as a download: an object URL on a hidden
 * link, so the token stays in the request header and no address with a credential reaches the browser's history.
 */
export function saveFile(root: ParentNode & Node, file: { blob: Blob; name: string }): void {
  const url = URL.createObjectURL(file.blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = file.name;
  link.hidden = true;
  root.appendChild(link);
  link.click();
  link.remove();
  // The browser reads the object while the download starts; it is released well after.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
