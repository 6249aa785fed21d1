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
; Sign the installer and its uninstaller with the organisation's certificate (SIGNING.md):
; define a sign tool named "confide" in Inno Setup's Tools menu, then uncomment:
; SignTool=confide
; SignedUninstaller=yes

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
