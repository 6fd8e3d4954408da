/** What the person reads when a second technician watches a shell or asks for its keyboard, and around a question asked while a shell is mirrored. */
import { defineCatalog } from '../../protocol/index.js';

export const sharingCatalog = defineCatalog(
  {
    askTakeover: '{who} asks to TAKE THE KEYBOARD of the remote shell that {holder} is using.',
    askTakeoverPower: 'If you allow it, {who} types in that shell from now on, as your user "{user}"; {holder} can then only watch.',
    grantedTakeover: '→ You allowed it. {who} now has the keyboard of the remote shell.',
    declinedTakeover: '→ You refused. Nothing changes: the keyboard stays with {holder}.',
    timedOutTakeover: '→ No answer within {seconds} s, so the answer is no. The keyboard stays with {holder}.',
    withdrawnTakeover: '→ The request was withdrawn. The keyboard stays with {holder}.',
    refusedTakeoverByPolicy: '→ Refused by the local policy. The keyboard stays with {holder}.',
    nowWatching: '[Relais] {who} is now watching the remote shell. They can see it but cannot type in it.',
    stoppedWatching: '[Relais] {who} stopped watching the remote shell.',
    keyboardTo: '[Relais] {who} now has the keyboard of the remote shell.',
    mirrorPaused: '(The remote shell keeps running while you answer; what it prints is shown again right after.)',
    mirrorResumed: '── Back to the remote shell: what it printed while you answered follows. ──',
    mirrorResumedLost: '── Back to the remote shell. {size} of what it printed while you answered is not shown here (the technician saw all of it); full-screen programs show everything again at their next redraw. ──',
  },
  {
    askTakeover: '{who} demande à PRENDRE LE CLAVIER du terminal à distance que {holder} utilise.',
    askTakeoverPower: 'Si vous autorisez, {who} tapera désormais dans ce terminal, sous votre compte « {user} » ; {holder} pourra seulement regarder.',
    grantedTakeover: '→ Vous avez autorisé. {who} a maintenant le clavier du terminal à distance.',
    declinedTakeover: '→ Vous avez refusé. Rien ne change\u00a0: le clavier reste à {holder}.',
    timedOutTakeover: '→ Pas de réponse sous {seconds} s\u00a0: la réponse est donc non. Le clavier reste à {holder}.',
    withdrawnTakeover: '→ La demande a été retirée. Le clavier reste à {holder}.',
    refusedTakeoverByPolicy: '→ Refusé par la règle locale. Le clavier reste à {holder}.',
    nowWatching: '[Relais] {who} regarde maintenant le terminal à distance. Il le voit mais ne peut pas y taper.',
    stoppedWatching: '[Relais] {who} ne regarde plus le terminal à distance.',
    keyboardTo: '[Relais] {who} a maintenant le clavier du terminal à distance.',
    mirrorPaused: "(Le terminal à distance continue de tourner pendant que vous répondez\u00a0; ce qu'il affiche réapparaît juste après.)",
    mirrorResumed: "── Retour au terminal à distance\u00a0: ce qu'il a affiché pendant votre réponse suit. ──",
    mirrorResumedLost: "── Retour au terminal à distance. {size} de ce qu'il a affiché pendant votre réponse ne sont pas montrés ici (le technicien a tout vu)\u00a0; les programmes plein écran réaffichent tout à leur prochain rafraîchissement. ──",
  },
);
