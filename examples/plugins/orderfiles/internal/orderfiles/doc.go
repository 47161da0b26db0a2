// Package orderfiles is the connector behind koppel-plugin-orderfiles: an sdk.Shop for webshops
// without an API. Orders come from export files (CSV, one row per order line, or JSON in the form
// of sdk.Order) in a folder that is local, a mounted share, or a WebDAV folder; stock goes back
// as a CSV file in the same folder. The connector keeps no state: each listing reads the files,
// keeps the newest version of every order and streams them oldest modification first, with a
// cursor (modification time + order id) to resume after each. The formats and settings are
// documented in docs/plugin-guide.md §10.
package orderfiles
