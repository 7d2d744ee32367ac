/**
 * The native menu as data (pure; tested): the usual app, edit, view and window menus plus Revive's own commands.
 * Commands reach the page as navigation of the interface (`#start`, `#queue`…) so the menu needs no extra channel.
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  addPhotos(): void;
  show(screen: 'start' | 'queue' | 'compare' | 'library' | 'models'): void;
  openLogFile(): void;
  openDataFolder(): void;
  /** macOS: link `revive` into /usr/local/bin (app/cli-command-install.ts); the app menu lists it when given. */
  installCliCommand?(): void;
  uninstallCliCommand?(): void;
}

/** The macOS app menu: Electron's own, or the same items with the command-line entries after About. */
function appMenu(actions: MenuActions): MenuItemConstructorOptions {
  const { installCliCommand: install, uninstallCliCommand: uninstall } = actions;
  if (!install || !uninstall) return { role: 'appMenu' };
  return {
    role: 'appMenu',
    submenu: [
      { role: 'about' },
      { type: 'separator' },
      { label: "Install 'revive' Command…", click: () => install() },
      { label: "Uninstall 'revive' Command…", click: () => uninstall() },
      { type: 'separator' },
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
}

/** The menu template for a platform. */
export function buildMenuTemplate(platform: NodeJS.Platform, actions: MenuActions): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const screens = (['start', 'queue', 'compare', 'library', 'models'] as const).map(
    (screen, i): MenuItemConstructorOptions => ({
      label: screen[0]!.toUpperCase() + screen.slice(1),
      accelerator: `CmdOrCtrl+${i + 1}`,
      click: () => actions.show(screen),
    }),
  );
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [appMenu(actions)] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Add Photos…', accelerator: 'CmdOrCtrl+O', click: () => actions.addPhotos() },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [...screens, { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        { label: 'Open Log File', click: () => actions.openLogFile() },
        { label: 'Open Data Folder', click: () => actions.openDataFolder() },
      ],
    },
  ];
  return template;
}
