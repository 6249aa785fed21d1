; Inno Setup 6 script: the Windows installer for the one-folder build in dist\Confide.
; packaging\build-windows.ps1 runs it: ISCC.exe /DAppVersion=0.1.0 packaging\confide.iss
; Per-machine install into Program Files (IT installs it; staff cannot change the program).
; The vault is never inside the program folder: it lives in each user's
; %LOCALAPPDATA%\Confide, so uninstalling or upgrading leaves every vault alone.
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6A0B8E0C-2D1F-4C59-9E0F-3C7B2E41C0DE}
AppName=Confide
AppVersion={#AppVersion}
AppPublisher=Confide
DefaultDirName={autopf}\Confide
DefaultGroupName=Confide
DisableProgramGroupPage=yes
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename=Confide-{#AppVersion}-setup
SetupIconFile=icons\confide.ico
UninstallDisplayIcon={app}\Confide.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
LicenseFile=..\LICENSE
; Upgrades: Windows' Restart Manager closes a running Confide (staff are asked to close it
; first: README "Upgrading"); the old program files are replaced (see [InstallDelete]).
CloseApplications=force
RestartApplications=no
; Silent install and uninstall for deployment tools (exit code 0 = success; Inno Setup's
; documented codes otherwise):
;   Confide-<version>-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /LOG="C:\Windows\Temp\confide-setup.log"
;   "C:\Program Files\Confide\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
#ifdef Signed
; build-windows.ps1 passes the sign command as /Sconfide=... when SIGN_SUBJECT is set.
SignTool=confide
SignedUninstaller=yes
#endif

[InstallDelete]
; An upgrade starts from a clean program folder, so no file of the old version lingers
; (vaults are never here: each user's is in %LOCALAPPDATA%\Confide).
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\dist\Confide\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Confide"; Filename: "{app}\Confide.exe"
Name: "{autodesktop}\Confide"; Filename: "{app}\Confide.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Run]
; IT can check the installation silently: "C:\Program Files\Confide\confide-cli.exe" --self-test
Filename: "{app}\Confide.exe"; Description: "Start Confide"; Flags: nowait postinstall skipifsilent
