/** The panel's styles, adopted into the shadow root next to the launcher's (launcher-css.ts).
 * Pixel units only (rem would follow the host page's root font size). */
export const PANEL_CSS = `
.hd{--a:var(--hd-accent,#2563eb);--a2:var(--hd-accent-2,#1d4ed8);--on:var(--hd-on-accent,#fff);--ink:#1b1f24;--muted:#5b6470;--line:#e6e8eb;--soft:#f1f3f6;--err:#b42318}
.panel{position:fixed;right:20px;bottom:88px;width:380px;height:min(660px,calc(100vh - 108px));display:flex;flex-direction:column;background:#fff;border-radius:18px;overflow:hidden;box-shadow:0 16px 48px rgba(15,23,42,.2),0 2px 10px rgba(15,23,42,.08);transform-origin:100% 100%;animation:hd-in .2s ease-out}
.hd [hidden]{display:none!important}
@keyframes hd-in{from{opacity:0;transform:translateY(14px) scale(.98)}to{opacity:1;transform:none}}
.head{flex:none;display:flex;align-items:center;gap:12px;padding:18px 12px 18px 20px;background:linear-gradient(135deg,var(--a) 0%,var(--a2) 100%);color:var(--on)}
.avatar{flex:none;width:42px;height:42px;border-radius:50%;display:flex;align-items:center;justify-content:center;background:rgba(255,255,255,.2);font-weight:600;font-size:16px;letter-spacing:.3px}
.titles{flex:1;min-width:0}
.title{margin:0;font-size:17px;font-weight:650;line-height:1.25;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.sub{margin:3px 0 0;display:flex;align-items:center;gap:7px;font-size:13px;line-height:1.3;opacity:.95}
.dot{flex:none;width:8px;height:8px;border-radius:50%;background:#4ade80;box-shadow:0 0 0 2px rgba(255,255,255,.3)}
.dot.away{background:#cbd2d9}
.icon-btn{all:unset;box-sizing:border-box;flex:none;width:38px;height:38px;border-radius:10px;display:flex;align-items:center;justify-content:center;cursor:pointer;color:inherit}
.icon-btn:hover{background:rgba(255,255,255,.16)}
.icon-btn:focus-visible{outline:2px solid currentColor;outline-offset:-3px}
.icon-btn svg{width:24px;height:24px;fill:currentColor}
.banner{flex:none;padding:8px 16px;font-size:13px;background:#fff6db;color:#5a4500;border-bottom:1px solid #f2e3b3}
.banner[hidden]{display:none}
.scroll{flex:1;min-height:0;overflow-y:auto;padding:8px 16px 16px;overscroll-behavior:contain;background:#fff}
.log{display:flex;flex-direction:column}
.row{display:flex;flex-direction:column;align-items:flex-start;margin-top:3px}
.row.first{margin-top:14px}
.row.mine{align-items:flex-end}
.who{margin:0 0 4px 12px;font-size:12px;font-weight:600;color:var(--muted)}
.bubble{max-width:82%;padding:9px 14px;border-radius:18px;background:var(--soft);color:var(--ink);font-size:14.5px;line-height:1.45;white-space:pre-wrap;overflow-wrap:anywhere}
.row:not(.mine):not(.first) .bubble{border-top-left-radius:6px}
.row:not(.mine):not(.last) .bubble{border-bottom-left-radius:6px}
.row.mine .bubble{background:var(--a);color:var(--on)}
.row.mine:not(.first) .bubble{border-top-right-radius:6px}
.row.mine:not(.last) .bubble{border-bottom-right-radius:6px}
.row.failed .bubble{background:#fdecea;color:var(--ink);box-shadow:inset 0 0 0 1px #f5c2bd}
.row.sending .bubble{opacity:.8}
.bubble a{color:inherit;text-decoration:underline;text-underline-offset:2px}
.meta{margin:4px 12px 0;display:flex;align-items:center;gap:6px;font-size:12px;color:var(--muted)}
.meta[hidden]{display:none}
.meta .bad{color:var(--err);font-weight:600}
.link-btn{all:unset;box-sizing:border-box;cursor:pointer;color:var(--err);font-weight:600;text-decoration:underline;text-underline-offset:2px}
.link-btn:focus-visible{outline:2px solid var(--err);outline-offset:2px;border-radius:3px}
.day{margin:18px 0 2px;text-align:center;font-size:12px;font-weight:600;color:var(--muted)}
.system{align-items:center;text-align:center}
.system .bubble{background:none;padding:4px 12px;font-size:12.5px;color:var(--muted);max-width:90%}
.intro{margin-top:12px}
.notice{margin-top:12px;padding:12px 14px;border-radius:12px;background:#f6f8fa;border:1px solid var(--line);color:#3b4350;font-size:13px;line-height:1.45}
.notice[hidden],.card[hidden],.typing[hidden]{display:none}
.typing{display:flex;flex-direction:column;align-items:flex-start;margin-top:14px}
.dots{display:inline-flex;gap:4px;padding:13px 14px;border-radius:18px;background:var(--soft)}
.dots i{width:7px;height:7px;border-radius:50%;background:#8a939e;animation:hd-blink 1.2s infinite ease-in-out}
.dots i:nth-child(2){animation-delay:.15s}
.dots i:nth-child(3){animation-delay:.3s}
@keyframes hd-blink{0%,80%,100%{opacity:.35;transform:none}40%{opacity:1;transform:translateY(-3px)}}
.card{margin-top:14px;padding:16px;border:1px solid var(--line);border-radius:14px;background:#fff;box-shadow:0 2px 8px rgba(15,23,42,.05)}
.card h3{margin:0 0 4px;font-size:15px;font-weight:650;color:var(--ink)}
.card p{margin:0 0 12px;font-size:13px;color:var(--muted)}
.card p.done{margin:0;color:var(--ink)}
.field{display:flex;flex-direction:column;gap:5px;margin-bottom:12px}
.field label{font-size:12.5px;font-weight:600;color:#3b4350}
.field label span{font-weight:400;color:var(--muted)}
.input{all:unset;box-sizing:border-box;display:block;box-sizing:border-box;width:100%;height:40px;padding:0 12px;border:1px solid #cfd5dc;border-radius:9px;background:#fff;color:var(--ink);font:inherit;font-size:14px}
.input:focus{border-color:var(--a);box-shadow:0 0 0 3px rgba(37,99,235,.18)}
.input[aria-invalid=true]{border-color:var(--err)}
.ferr{font-size:12px;color:var(--err)}
.ferr:empty{display:none}
.btn{all:unset;box-sizing:border-box;display:inline-flex;align-items:center;justify-content:center;height:40px;padding:0 16px;border-radius:9px;background:var(--a);color:var(--on);font:inherit;font-size:14px;font-weight:600;cursor:pointer;white-space:nowrap}
.btn:hover{filter:brightness(1.06)}
.btn:focus-visible{outline:3px solid var(--a);outline-offset:2px}
.btn[disabled]{opacity:.6;cursor:default}
.wide{width:100%}
.inline{display:flex;gap:8px}
.inline .input{flex:1;min-width:0}
.stars{display:flex;gap:6px}
.comment{margin:12px 0 0}
.comment-box{height:auto;min-height:64px;padding:8px 12px;white-space:pre-wrap;resize:vertical}
.comment .btn{align-self:flex-end}
.star{all:unset;box-sizing:border-box;width:40px;height:40px;border-radius:10px;display:flex;align-items:center;justify-content:center;font-size:24px;line-height:1;color:#c2c9d1;cursor:pointer}
.star:hover,.star.on{color:#f5a524}
.star:focus-visible{outline:2px solid var(--a)}
.composer{flex:none;display:flex;align-items:flex-end;gap:8px;margin:0;padding:10px 12px 12px 18px;border-top:1px solid var(--line);background:#fff}
.composer[hidden]{display:none}
.ta{all:unset;box-sizing:border-box;display:block;flex:1;height:38px;min-height:38px;max-height:128px;padding:8px 0;overflow-y:auto;color:var(--ink);font:inherit;font-size:14.5px;line-height:1.45;white-space:pre-wrap;overflow-wrap:anywhere}
.ta::placeholder{color:#6b7480}
.send{all:unset;box-sizing:border-box;flex:none;width:38px;height:38px;border-radius:50%;display:flex;align-items:center;justify-content:center;background:var(--a);color:var(--on);cursor:pointer;transition:background .15s,color .15s}
.send[disabled]{background:#eceff2;color:#8a939e;cursor:default}
.send:focus-visible{outline:3px solid var(--a);outline-offset:2px}
.send svg{width:20px;height:20px;fill:currentColor}
.attach{all:unset;box-sizing:border-box;flex:none;width:38px;height:38px;margin-left:-8px;border-radius:50%;display:flex;align-items:center;justify-content:center;color:var(--muted);cursor:pointer}
.attach:hover{background:var(--soft);color:var(--ink)}
.attach:focus-visible{outline:3px solid var(--a);outline-offset:2px}
.attach svg{width:22px;height:22px;fill:currentColor;transform:rotate(45deg)}
.chips{flex:none;display:flex;flex-wrap:wrap;gap:6px;margin:0;padding:8px 12px 0;list-style:none;border-top:1px solid var(--line);background:#fff}
.chips+.composer{border-top:0}
.chip{display:inline-flex;align-items:center;gap:6px;max-width:100%;min-height:30px;padding:2px 4px 2px 9px;border:1px solid #cfd5dc;border-radius:15px;background:#f6f8fa;color:var(--ink);font-size:12.5px;box-sizing:border-box}
.chip>svg{flex:none;width:15px;height:15px;fill:var(--muted)}
.chip.failed{border-color:#f5c2bd;background:#fdecea}
.chip-name{min-width:0;max-width:150px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;font-weight:600}
.chip-state{display:inline-flex;align-items:center;min-width:0}
.chip-size{color:var(--muted)}
.chip-err{color:var(--err)}
.chip progress{width:54px;height:6px;accent-color:var(--a)}
.chip-x{all:unset;box-sizing:border-box;flex:none;width:22px;height:22px;border-radius:50%;display:flex;align-items:center;justify-content:center;color:var(--muted);cursor:pointer}
.chip-x:hover{background:rgba(15,23,42,.08);color:var(--ink)}
.chip-x:focus-visible{outline:2px solid var(--a)}
.chip-x svg{width:14px;height:14px;fill:currentColor}
.files{display:flex;flex-direction:column;align-items:flex-start;gap:4px;max-width:82%;margin:4px 0 0;padding:0;list-style:none}
.bubble[hidden]+.files{margin-top:0}
.row.mine .files{align-items:flex-end}
.file{max-width:100%}
.att-img{all:unset;box-sizing:border-box;display:block;max-width:100%;border-radius:14px;overflow:hidden;background:var(--soft);cursor:zoom-in}
.att-img img{display:block;max-width:100%;height:auto}
.att-img:focus-visible{outline:3px solid var(--a);outline-offset:2px}
.att-media{display:block;max-width:100%;border-radius:12px}
audio.att-media{width:260px}
video.att-media{height:auto;background:#000}
.att-file{display:inline-flex;align-items:center;gap:8px;max-width:100%;box-sizing:border-box;padding:9px 12px;border:1px solid var(--line);border-radius:14px;background:#fff;color:var(--ink);font-size:13.5px;text-decoration:none}
.att-file:hover{background:#f6f8fa}
.att-file:focus-visible{outline:3px solid var(--a);outline-offset:2px}
.att-file svg{flex:none;width:20px;height:20px;fill:var(--a)}
.att-name{min-width:0;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;font-weight:600}
.att-size{flex:none;color:var(--muted);font-size:12px}
.drop{position:absolute;inset:8px;z-index:5;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:10px;border:2px dashed var(--a);border-radius:14px;background:rgba(255,255,255,.94);color:var(--ink);font-size:15px;font-weight:600;pointer-events:none}
.drop svg{width:32px;height:32px;fill:var(--a);transform:rotate(45deg)}
.lightbox{position:absolute;inset:0;z-index:10;display:flex;align-items:center;justify-content:center;padding:56px 16px 16px;background:rgba(10,15,25,.88);cursor:zoom-out}
.lb-figure{display:flex;flex-direction:column;align-items:center;gap:8px;max-width:100%;max-height:100%;margin:0;cursor:default}
.lb-figure img{display:block;max-width:100%;max-height:calc(100% - 32px);min-height:0;object-fit:contain;border-radius:6px;background:#fff}
.lb-figure figcaption{max-width:100%;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;color:#fff;font-size:13px}
.lb-close{all:unset;box-sizing:border-box;position:absolute;top:10px;right:10px;width:40px;height:40px;border-radius:10px;display:flex;align-items:center;justify-content:center;color:#fff;cursor:pointer}
.lb-close:hover{background:rgba(255,255,255,.16)}
.lb-close:focus-visible{outline:2px solid #fff;outline-offset:-3px}
.lb-close svg{width:24px;height:24px;fill:currentColor}
.sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
@media (max-width:480px),(max-height:500px){
.panel{inset:0;width:auto;height:auto;border-radius:0;animation:none}
.hd.open .launcher{display:none}
.head{padding-top:14px;padding-bottom:14px}
}
`;
